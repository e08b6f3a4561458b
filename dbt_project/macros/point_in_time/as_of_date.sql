{#- The date the targeting marts describe: the run's as-of date, which every run passes (ISO), e.g.
    dbt build --vars '{as_of_date: "2026-11-27"}'. There is no default: a build that forgot it would describe
    some other day under today's name. -#}
{% macro as_of_date() -%}
    {%- set as_of = var("as_of_date", none) -%}
    {%- if as_of is none and execute -%}
        {{ exceptions.raise_compiler_error("var as_of_date is not set: pass the run's date, e.g. dbt build --vars '{as_of_date: \"2026-11-27\"}'") }}
    {%- endif -%}
    cast('{{ as_of }}' as date)
{%- endmacro %}
