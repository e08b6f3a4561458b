{#- Arrays of text, which DuckDB calls lists. Person matching (int_person_mentions) builds them for splink; each
    macro has a DuckDB and a PostgreSQL spelling. Both index arrays from 1. -#}

{#- The values of `column` in a group, sorted, as an array. -#}
{% macro sorted_array_agg(column) -%}
    {{ return(adapter.dispatch('sorted_array_agg', 'shopfloor')(column)) }}
{%- endmacro %}

{% macro duckdb__sorted_array_agg(column) -%}
    list({{ column }} order by {{ column }})
{%- endmacro %}

{% macro default__sorted_array_agg(column) -%}
    array_agg({{ column }} order by {{ column }})
{%- endmacro %}

{#- `element` followed by the elements of the text array `array` (NULL: none), each once. -#}
{% macro array_prepend_distinct(element, array) -%}
    {{ return(adapter.dispatch('array_prepend_distinct', 'shopfloor')(element, array)) }}
{%- endmacro %}

{% macro duckdb__array_prepend_distinct(element, array) -%}
    list_distinct(list_prepend({{ element }}, coalesce({{ array }}, cast([] as varchar[]))))
{%- endmacro %}

{% macro default__array_prepend_distinct(element, array) -%}
    array(
        select distinct form
        from unnest(array_prepend({{ element }}, coalesce({{ array }}, cast(array[] as text[])))) as forms(form)
    )
{%- endmacro %}

{#- The parts of `column` between occurrences of `separator`, as a text array. -#}
{% macro split_to_array(column, separator) -%}
    {{ return(adapter.dispatch('split_to_array', 'shopfloor')(column, separator)) }}
{%- endmacro %}

{% macro duckdb__split_to_array(column, separator) -%}
    string_split({{ column }}, '{{ separator }}')
{%- endmacro %}

{% macro default__split_to_array(column, separator) -%}
    string_to_array({{ column }}, '{{ separator }}')
{%- endmacro %}
