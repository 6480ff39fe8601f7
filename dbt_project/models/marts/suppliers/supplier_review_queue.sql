{#-
    The data steward's review queue: supplier record pairs whose match probability fell in
    the uncertain band and that nobody has decided yet, most uncertain first. Decide with
    `grouplake suppliers review decide` (or the serving API); the next run applies it.
    Published to <lake>/gold/supplier_review_queue.
-#}
with

resolved as (

    select * from {{ ref('int_suppliers__resolved') }}

),

records as (

    select * from {{ ref('int_suppliers__source_records') }}

)

select
    cast(l.record_id as varchar) as left_record_id,
    cast(l.review_record_id as varchar) as right_record_id,
    cast(l.review_probability as double) as probability,
    cast(lr.recorded_name as varchar) as left_name,
    cast(rr.recorded_name as varchar) as right_name,
    cast(l.supplier_key as varchar) as left_supplier_key,
    cast(r.supplier_key as varchar) as right_supplier_key,
    cast(l.supplier_key = r.supplier_key as boolean) as same_supplier
from resolved as l
inner join resolved as r on r.record_id = l.review_record_id
left join records as lr on lr.record_id = l.record_id
left join records as rr on rr.record_id = l.review_record_id
where l.review_record_id is not null
