-- Supplier onboarding cycle time: one row per application, submitted -> decided, with the
-- outcome of its automatic checks (transactional/onboarding/checks.py), the documents
-- uploaded and the applicant's resubmissions, from the outbox.
with

outbox_events as (

    select * from {{ ref('stg_tx__outbox_events') }}

),

applied as (

    select
        try_cast(payload ->> '$.application_id' as bigint) as application_id,
        coalesce(payload ->> '$.supplier_id', supplier_id) as supplier_id,
        coalesce(payload ->> '$.business_unit', business_unit_code) as business_unit_code,
        occurred_at as submitted_at
    from outbox_events
    where event_type = 'supplier.applied'
    qualify row_number() over (
        partition by try_cast(payload ->> '$.application_id' as bigint) order by sequence_id
    ) = 1

),

decisions as (

    select
        try_cast(payload ->> '$.application_id' as bigint) as application_id,
        case event_type when 'supplier.approved' then 'approved' else 'rejected' end as decision,
        occurred_at as decided_at,
        sequence_id as decided_sequence_id
    from outbox_events
    where event_type in ('supplier.approved', 'supplier.rejected')
      and payload ->> '$.application_id' is not null
    qualify row_number() over (
        partition by try_cast(payload ->> '$.application_id' as bigint) order by sequence_id
    ) = 1

),

checks as (

    select
        try_cast(payload ->> '$.application_id' as bigint) as application_id,
        try_cast(payload ->> '$.fast_track' as boolean) as fast_track,
        cast(payload -> '$.failed_checks' as varchar) as failed_checks,
        occurred_at as checked_at,
        sequence_id
    from outbox_events
    where event_type = 'supplier_application.checked'

),

-- documents uploaded and resubmissions before the decision (or so far, while open)
activity as (

    select
        try_cast(outbox_events.payload ->> '$.application_id' as bigint) as application_id,
        count(*) filter (
            where outbox_events.event_type = 'supplier_application.document_uploaded'
        ) as documents_uploaded,
        count(*) filter (
            where outbox_events.event_type = 'supplier_application.resubmitted'
        ) as resubmissions
    from outbox_events
    left join decisions
        on decisions.application_id
        = try_cast(outbox_events.payload ->> '$.application_id' as bigint)
    where outbox_events.event_type in (
            'supplier_application.document_uploaded', 'supplier_application.resubmitted'
        )
      and (decisions.decided_sequence_id is null
           or outbox_events.sequence_id < decisions.decided_sequence_id)
    group by 1

),

-- the checks in force when the decision was taken (the latest run before it; the latest
-- run at all while the application is open)
checks_in_force as (

    select
        checks.application_id,
        checks.fast_track,
        checks.failed_checks,
        count(*) over (partition by checks.application_id) as check_runs,
        min(checks.checked_at) over (partition by checks.application_id) as first_checked_at
    from checks
    left join decisions using (application_id)
    where decisions.decided_sequence_id is null
       or checks.sequence_id < decisions.decided_sequence_id
    qualify row_number() over (
        partition by checks.application_id order by checks.sequence_id desc
    ) = 1

)

select
    -- keys
    cast(applied.application_id as bigint) as application_id,
    -- foreign keys
    cast(applied.supplier_id as varchar) as supplier_id,
    cast(applied.business_unit_code as varchar) as business_unit_code,
    -- data
    cast(applied.submitted_at as timestamptz) as submitted_at,
    cast(checks_in_force.first_checked_at as timestamptz) as first_checked_at,
    cast(coalesce(checks_in_force.check_runs, 0) as bigint) as check_runs,
    cast(coalesce(activity.documents_uploaded, 0) as bigint) as documents_uploaded,
    cast(coalesce(activity.resubmissions, 0) as bigint) as resubmissions,
    cast(case
        when checks_in_force.fast_track is null then 'not_checked'
        when checks_in_force.fast_track then 'fast_track'
        else 'failed'
    end as varchar) as check_outcome,
    cast(checks_in_force.failed_checks as varchar) as failed_checks,
    cast(decisions.decision as varchar) as decision,
    cast(decisions.decided_at as timestamptz) as decided_at,
    cast(
        epoch(decisions.decided_at) - epoch(applied.submitted_at) as double
    ) / 3600.0 as hours_to_decision
from applied
left join decisions using (application_id)
left join checks_in_force using (application_id)
left join activity using (application_id)
where applied.application_id is not null
