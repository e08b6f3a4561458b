-- Code tables of the OSHA accident and injury columns: (code table, code) -> meaning.
with latest_codes as (
    {{ latest_record_per_key(source('osha', 'osha_accident_lookup'), ['accident_code', 'accident_number']) }}
)

select
    {{ clean_code('accident_code') }} as code_table,
    {{ clean_code('accident_number') }} as code,
    {{ clean_text('accident_value') }} as meaning,
    {{ clean_code('accident_letter') }} as code_letter
from latest_codes
