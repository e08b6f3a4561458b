{#- Schemas are exactly staging / intermediate / marts, not "<target schema>_staging", so that analysts,
    the Dagster assets and the other warehouse readers can name them the same on every target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
