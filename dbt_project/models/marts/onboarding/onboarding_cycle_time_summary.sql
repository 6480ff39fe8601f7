-- Supplier onboarding cycle time per applying unit and outcome of the automatic checks in
-- force at the decision: how long submitted -> decided takes, from onboarding_cycle_times.
with

applications as (

    select * from {{ ref('onboarding_cycle_times') }}

)

select
    -- keys
    cast(business_unit_code as varchar) as business_unit_code,
    cast(check_outcome as varchar) as check_outcome,
    -- data
    cast(count(*) as bigint) as applications,
    cast(count(decided_at) as bigint) as decided_applications,
    cast(count(*) filter (where decision = 'approved') as bigint) as approved_applications,
    cast(count(*) filter (where decision = 'rejected') as bigint) as rejected_applications,
    cast(count(*) filter (where resubmissions > 0) as bigint) as resubmitted_applications,
    cast(avg(hours_to_decision) as double) as mean_hours_to_decision,
    cast(median(hours_to_decision) as double) as median_hours_to_decision,
    cast(max(hours_to_decision) as double) as max_hours_to_decision,
    cast(min(submitted_at) as timestamptz) as first_submitted_at,
    cast(max(decided_at) as timestamptz) as last_decided_at
from applications
where business_unit_code is not null
group by 1, 2
