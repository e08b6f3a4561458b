-- Every source record that names an employer (agencies' records, the union's roll and grievances, organizing
-- contacts), in one shape for employer and workplace resolution
-- (shopfloor.resolution.employers): the name as written, standardized, split at d/b/a, with its store
-- number and legal form removed; the workplace address as house number and standardized street; city,
-- state, ZIP5 and NAICS where the source has them.
with osha_inspections as (
    select
        'osha_inspection' as source_table,
        cast(inspection_id as {{ dbt.type_string() }}) as record_id,
        cast(null as {{ dbt.type_string() }}) as unit_id,
        'osha' as source_system,
        cast(inspection_id as {{ dbt.type_string() }}) as source_record_id,
        establishment_name as raw_name,
        cast(null as {{ dbt.type_string() }}) as worksite_name,
        site_address as raw_address,
        'site' as address_source,
        upper(site_city) as city,
        site_state as state,
        site_zip5 as zip5,
        cast(naics_code as {{ dbt.type_string() }}) as naics_code
    from {{ ref('stg_osha__inspections') }}
    where establishment_name is not null
),

-- R cases name the unit's facility in "Unit Sought" ("... employed by the Employer at its 12 Main St,
-- Raleigh, NC facility"); C cases name only the city. A CB case is filed against the union: its name is
-- "<union> (<employer>)".
nlrb_cases as (
    select
        'nlrb_cases' as source_table,
        case_number as record_id,
        cast(null as {{ dbt.type_string() }}) as unit_id,
        'nlrb' as source_system,
        case_number as source_record_id,
        case
            when case_type_code = 'CB' then coalesce({{ regex_group('case_name', '\(([^()]+)\)\s*$') }}, case_name)
            else case_name
        end as raw_name,
        cast(null as {{ dbt.type_string() }}) as worksite_name,
        {{ regex_group('upper(unit_sought)', 'EMPLOYER AT ITS ([0-9][^,]*),') }} as raw_address,
        'unit description' as address_source,
        upper(city) as city,
        state,
        cast(null as {{ dbt.type_string() }}) as zip5,
        cast(null as {{ dbt.type_string() }}) as naics_code
    from {{ ref('stg_nlrb__cases') }}
    where case_name is not null
),

-- The election exports hold a row per tally; the unit (case number and unit id) is the source record.
election_units as (
    select
        'nlrb_election_tallies' as source_table,
        case_number,
        unit_id,
        case_name,
        city,
        state,
        bargaining_unit_description,
        filed_on,
        tallied_on
    from {{ ref('stg_nlrb__election_tallies') }}
    union all
    select
        'nlrb_recent_election_results' as source_table,
        case_number,
        unit_id,
        case_name,
        city,
        state,
        bargaining_unit_description,
        filed_on,
        tallied_on
    from {{ ref('stg_nlrb__recent_election_results') }}
),

first_tally_per_unit as (
    select
        *,
        row_number() over (
            partition by source_table, case_number, unit_id
            order by tallied_on, bargaining_unit_description, case_name
        ) as tally_order
    from election_units
    where case_name is not null
),

nlrb_elections as (
    select
        source_table,
        case_number as record_id,
        unit_id,
        'nlrb' as source_system,
        {{ dbt.concat(['case_number', "'/'", "coalesce(unit_id, '-')"]) }} as source_record_id,
        case_name as raw_name,
        cast(null as {{ dbt.type_string() }}) as worksite_name,
        {{ regex_group('upper(bargaining_unit_description)', 'EMPLOYER AT ITS ([0-9][^,]*),') }} as raw_address,
        'unit description' as address_source,
        upper(city) as city,
        state,
        cast(null as {{ dbt.type_string() }}) as zip5,
        cast(null as {{ dbt.type_string() }}) as naics_code
    from first_tally_per_unit
    where tally_order = 1
),

members as (
    select
        'members' as source_table,
        member_id as record_id,
        cast(null as {{ dbt.type_string() }}) as unit_id,
        'union_roll' as source_system,
        member_key as source_record_id,
        employer_name as raw_name,
        worksite_name,
        worksite_address as raw_address,
        'worksite' as address_source,
        -- The roll's city and ZIP are the member's home, not the worksite's.
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as state,
        cast(null as {{ dbt.type_string() }}) as zip5,
        cast(null as {{ dbt.type_string() }}) as naics_code
    from {{ ref('stg_union_roll__members') }}
    where employer_name is not null
),

-- The grievance log names employer and worksite but no address: the grievant's worksite address on the
-- roll stands in for it.
grievances as (
    select
        'grievances' as source_table,
        grievances.grievance_id as record_id,
        cast(null as {{ dbt.type_string() }}) as unit_id,
        'union_roll' as source_system,
        grievances.grievance_id as source_record_id,
        grievances.employer_name as raw_name,
        grievances.worksite_name,
        grievant.worksite_address as raw_address,
        'grievant worksite' as address_source,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as state,
        cast(null as {{ dbt.type_string() }}) as zip5,
        cast(null as {{ dbt.type_string() }}) as naics_code
    from {{ ref('stg_union_roll__grievances') }} as grievances
    left join {{ ref('stg_union_roll__members') }} as grievant on grievances.member_id = grievant.member_id
    where grievances.employer_name is not null
),

-- Organizing contacts give the employer and worksite themselves, often with the worksite's street, city and state
-- (their own address is their home's).
organizing_contacts as (
    select
        'organizing_contacts' as source_table,
        contact_id as record_id,
        cast(null as {{ dbt.type_string() }}) as unit_id,
        'organizing_contacts' as source_system,
        worker_key as source_record_id,
        employer_name as raw_name,
        worksite_name,
        worksite_address as raw_address,
        'contact worksite' as address_source,
        worksite_city as city,
        worksite_state as state,
        cast(null as {{ dbt.type_string() }}) as zip5,
        cast(null as {{ dbt.type_string() }}) as naics_code
    from {{ ref('stg_organizing__contacts') }}
    where employer_name is not null
),

mentions as (
    select * from osha_inspections
    union all
    select * from nlrb_cases
    union all
    select * from nlrb_elections
    union all
    select * from members
    union all
    select * from grievances
    union all
    select * from organizing_contacts
),

standardized as (
    select
        *,
        {{ employer_legal_name_core('raw_name') }} as legal_name_core,
        {{ employer_dba_name_core('raw_name') }} as dba_name_core,
        coalesce({{ employer_store_number_of('raw_name') }}, {{ employer_store_number_of('worksite_name') }})
            as store_number
    from mentions
)

select
    source_table || ':' || record_id || coalesce(':' || unit_id, '') as mention_id,
    source_table,
    record_id,
    unit_id,
    source_system,
    source_record_id,
    raw_name,
    nullif(trim({{ employer_name_padded('raw_name') }}), '') as name_std,
    legal_name_core,
    dba_name_core,
    {{ employer_name_key('legal_name_core') }} as legal_name_key,
    {{ employer_name_key('dba_name_core') }} as dba_name_key,
    {{ employer_name_cut('raw_name', 'source_table') }} as name_cut,
    store_number,
    worksite_name,
    raw_address,
    address_source,
    {{ site_street_number(site_address_padded('raw_address')) }} as street_number,
    {{ site_street_name(site_address_padded('raw_address')) }} as street_name,
    {{ site_address_key('raw_address') }} as address_key,
    city,
    state,
    zip5,
    naics_code
from standardized
