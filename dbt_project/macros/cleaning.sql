{#- Text as it should be compared: trimmed, inner runs of whitespace collapsed (NC pads its fixed-width
    addresses with spaces), and empty strings as NULL. -#}
{% macro clean_text(column) -%}
    nullif(trim({{ collapse_whitespace(column) }}), '')
{%- endmacro %}

{% macro collapse_whitespace(column) -%}
    {{ return(adapter.dispatch('collapse_whitespace', 'shopfloor')(column)) }}
{%- endmacro %}

{#- DuckDB and Postgres share regexp_replace(text, pattern, replacement, 'g'); other adapters override. -#}
{% macro default__collapse_whitespace(column) -%}
    regexp_replace({{ column }}, '\s+', ' ', 'g')
{%- endmacro %}

{#- Upper-cased, trimmed code values: '  s ' -> 'S', '' -> NULL. -#}
{% macro clean_code(column) -%}
    nullif(upper(trim({{ column }})), '')
{%- endmacro %}

{#- Yes/no flags as the agencies and union exports spell them (Y/N, Yes/No, X/blank, True/False, 1/0).
    Anything else is NULL, not false: an unknown answer is not a no. -#}
{% macro to_boolean(column, blank_is_false=false) -%}
    case
        when upper(trim({{ column }})) in ('Y', 'YES', 'X', 'TRUE', 'T', '1') then true
        when upper(trim({{ column }})) in ('N', 'NO', 'FALSE', 'F', '0') then false
        {%- if blank_is_false %}
        when {{ column }} is null or trim({{ column }}) = '' then false
        {%- endif %}
    end
{%- endmacro %}

{#- First five digits of a ZIP or ZIP+4 ("27601-1234", "276011234"). -#}
{% macro zip5(column) -%}
    nullif(substr(trim({{ column }}), 1, 5), '')
{%- endmacro %}
