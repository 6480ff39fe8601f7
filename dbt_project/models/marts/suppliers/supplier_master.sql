{#-
    The supplier master: one golden supplier per real company across the group, with its
    golden fields, where each field came from (survivorship lineage) and which sources and
    business units know it. Golden name, code, city, phone, address and bank account are
    chosen by the matching library (models/entity_resolution/golden.py); province and
    industry, which only some sources carry, are chosen here (rules in the YAML).
    Published to <lake>/gold/supplier_master.
-#}
with

resolved as (

    select * from {{ ref('int_suppliers__resolved') }}

),

records as (

    select * from {{ ref('int_suppliers__source_records') }}

),

golden as (

    select distinct
        supplier_key,
        group_supplier_id,
        golden_name,
        golden_uscc,
        golden_city,
        golden_phone,
        golden_address,
        golden_bank_account,
        member_count,
        founding_record_id,
        name_source_record_id,
        uscc_source_record_id,
        city_source_record_id,
        phone_source_record_id,
        address_source_record_id,
        bank_account_source_record_id
    from resolved

),

members as (

    select
        resolved.supplier_key,
        resolved.match_confidence,
        golden.name_source_record_id,
        golden.city_source_record_id,
        records.record_id,
        records.source_system,
        records.source_record_id,
        records.business_unit_code,
        records.province,
        records.industry,
        records.source_created_at
    from resolved
    inner join records
        on resolved.record_id = records.record_id
    inner join golden
        on resolved.supplier_key = golden.supplier_key

),

membership as (

    select
        supplier_key,
        string_agg(distinct business_unit_code, ',' order by business_unit_code) as business_units,
        string_agg(distinct source_system, ',' order by source_system) as source_systems,
        count(*) filter (where source_system = 'erp') as erp_record_count,
        count(*) filter (where source_system = 'platform') as platform_record_count,
        string_agg(source_record_id, ',' order by source_record_id)
            filter (where source_system = 'platform') as platform_supplier_ids,
        min(match_confidence) as min_match_confidence,
        min(source_created_at) as first_seen_at
    from members
    group by supplier_key

),

-- province: the one recorded with the golden city (same record), else the most frequent
province_votes as (

    select
        supplier_key,
        province,
        bool_or(record_id = city_source_record_id) as is_city_source,
        count(*) as votes,
        coalesce(
            min(record_id) filter (where record_id = city_source_record_id), min(record_id)
        ) as source_record_id
    from members
    where province is not null
    group by supplier_key, province

),

golden_province as (

    select
        supplier_key,
        province,
        source_record_id as province_source_record_id
    from province_votes
    qualify row_number() over (
        partition by supplier_key order by is_city_source desc, votes desc, province
    ) = 1

),

-- industry: the most frequent, ties to the golden name's record, then alphabetical
industry_votes as (

    select
        supplier_key,
        industry,
        bool_or(record_id = name_source_record_id) as is_name_source,
        count(*) as votes,
        coalesce(
            min(record_id) filter (where record_id = name_source_record_id), min(record_id)
        ) as source_record_id
    from members
    where industry is not null
    group by supplier_key, industry

),

golden_industry as (

    select
        supplier_key,
        industry,
        source_record_id as industry_source_record_id
    from industry_votes
    qualify row_number() over (
        partition by supplier_key order by votes desc, is_name_source desc, industry
    ) = 1

)

select
    -- keys
    cast(golden.supplier_key as varchar) as supplier_key,
    cast(golden.group_supplier_id as varchar) as group_supplier_id,
    -- golden fields
    cast(golden.golden_name as varchar) as golden_name,
    cast(golden.golden_uscc as varchar) as uscc,
    cast(golden.golden_uscc is not null as boolean) as uscc_is_valid,
    cast(golden_province.province as varchar) as province,
    cast(golden.golden_city as varchar) as city,
    cast(golden.golden_address as varchar) as address,
    cast(golden.golden_phone as varchar) as phone,
    cast(golden.golden_bank_account as varchar) as bank_account,
    cast(golden_industry.industry as varchar) as industry,
    -- membership
    cast(golden.member_count as integer) as member_count,
    cast(membership.erp_record_count as integer) as erp_record_count,
    cast(membership.platform_record_count as integer) as platform_record_count,
    cast(membership.business_units as varchar) as business_units,
    cast(membership.source_systems as varchar) as source_systems,
    cast(membership.platform_supplier_ids as varchar) as platform_supplier_ids,
    cast(membership.min_match_confidence as double) as min_match_confidence,
    cast(membership.first_seen_at as timestamptz) as first_seen_at,
    -- survivorship lineage: the source record each golden field came from
    cast(golden.founding_record_id as varchar) as founding_record_id,
    cast(golden.name_source_record_id as varchar) as name_source_record_id,
    cast(golden.uscc_source_record_id as varchar) as uscc_source_record_id,
    cast(golden_province.province_source_record_id as varchar) as province_source_record_id,
    cast(golden.city_source_record_id as varchar) as city_source_record_id,
    cast(golden.address_source_record_id as varchar) as address_source_record_id,
    cast(golden.phone_source_record_id as varchar) as phone_source_record_id,
    cast(golden.bank_account_source_record_id as varchar) as bank_account_source_record_id,
    cast(golden_industry.industry_source_record_id as varchar) as industry_source_record_id

from golden
left join membership
    on golden.supplier_key = membership.supplier_key
left join golden_province
    on golden.supplier_key = golden_province.supplier_key
left join golden_industry
    on golden.supplier_key = golden_industry.supplier_key
