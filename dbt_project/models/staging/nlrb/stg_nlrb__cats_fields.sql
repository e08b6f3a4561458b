-- What each field of the CATS R-case tables means (DataFields_RCASE.xls), one row per table and field:
-- "R_CASE.Case_Name" -> table R_CASE, field Case_Name. Rows naming no table ("See Participant window") are
-- cross-references, kept with a NULL table.
select
    case when position('.' in table_column) > 0 then {{ dbt.split_part('table_column', "'.'", 1) }} end
        as cats_table,
    case
        when position('.' in table_column) > 0
            then {{ clean_text("substr(table_column, position('.' in table_column) + 1)") }}
        else {{ clean_text('table_column') }}
    end as cats_field,
    {{ clean_text('reference_table_name') }} as reference_table,
    {{ clean_text('user_data_type') }} as data_type,
    {{ clean_text('data_definition') }} as definition
from {{ source('nlrb', 'nlrb_cats_fields') }}
