{#- NLRB case numbers read "<region>-<case type>-<serial>", e.g. 06-RC-309800: the type is the middle part. -#}
{% macro nlrb_case_type_code(case_number) -%}
    upper({{ dbt.split_part(case_number, "'-'", 2) }})
{%- endmacro %}

{#- Tally types as the two NLRB exports spell them ("Run-off", "Runoff") -> Initial / Rerun / Runoff. -#}
{% macro nlrb_tally_type(column) -%}
    case upper(replace(trim({{ column }}), '-', ''))
        when 'INITIAL' then 'Initial'
        when 'RERUN' then 'Rerun'
        when 'RUNOFF' then 'Runoff'
    end
{%- endmacro %}
