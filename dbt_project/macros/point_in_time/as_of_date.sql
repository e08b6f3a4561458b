{#- The date the targeting marts describe (var as_of_date, ISO). The default is the sample world's last day,
    2025-06-30, so the demo shows a full picture; a real run passes the run date:
    dbt build --vars '{as_of_date: "2026-11-27"}'. -#}
{% macro as_of_date() -%}
    cast('{{ var("as_of_date", "2025-06-30") }}' as date)
{%- endmacro %}
