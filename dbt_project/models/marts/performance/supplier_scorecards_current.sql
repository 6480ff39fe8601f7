{#-
    The scorecard procurement decides with: every supplier's row of the latest complete
    month (metrics over the trailing window_months months ending with it).
-#}
with

scorecards as (

    select * from {{ ref('supplier_scorecards') }}

),

parameters as (

    select * from {{ ref('int_performance__parameters') }}

)

select scorecards.*
from scorecards
inner join parameters
    on scorecards.scorecard_month = parameters.latest_complete_month
