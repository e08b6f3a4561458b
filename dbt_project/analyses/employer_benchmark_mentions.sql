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
        {{ employer_store_number_of('raw_name') }} as store_number
    from employer_benchmark_records
)

select
    record_key as mention_id,
    source as source_table,
    legal_name_core,
    replace(legal_name_core, ' ', '') as legal_name_key,
    replace(dba_name_core, ' ', '') as dba_name_key,
    store_number,
    cast(null as {{ dbt.type_string() }}) as address_key,
    cast(null as {{ dbt.type_string() }}) as street_number,
    cast(null as {{ dbt.type_string() }}) as zip5,
    upper(city) as city,
    state
from standardized
