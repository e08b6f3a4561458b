-- The real-name benchmark's records (shopfloor.resolution.real_benchmark), standardized by the macros
-- int_employer_mentions uses, in the columns the employer resolution reads. Compiled, not built: the
-- benchmark runs it where it has put its records in the table employer_benchmark_records.
with standardized as (
    select
        record_key,
        source,
        city,
        state,
        {{ employer_legal_name_core('raw_name') }} as legal_name_core,
        {{ employer_dba_name_core('raw_name') }} as dba_name_core,
        {{ employer_store_number_of('raw_name') }} as store_number,
        {{ employer_name_cut('raw_name', 'source') }} as name_cut
    from employer_benchmark_records
)

select
    record_key as mention_id,
    -- Every benchmark record is an NLRB election record: resolved as the tally file's are.
    'nlrb_election_tallies' as source_table,
    legal_name_core,
    {{ employer_name_key('legal_name_core') }} as legal_name_key,
    {{ employer_name_key('dba_name_core') }} as dba_name_key,
    name_cut,
    store_number,
    cast(null as {{ dbt.type_string() }}) as address_key,
    cast(null as {{ dbt.type_string() }}) as street_number,
    cast(null as {{ dbt.type_string() }}) as zip5,
    upper(city) as city,
    state
from standardized
