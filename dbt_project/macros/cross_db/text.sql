{#- Text functions one of the two targets lacks. -#}

{#- `column` with the accents of Latin letters dropped: 'Muñoz' -> 'Munoz'. PostgreSQL's unaccent is an extension
    not every server has; the Latin-1 letters (all the voter files use) are translated one by one instead. -#}
{% macro remove_accents(column) -%}
    {{ return(adapter.dispatch('remove_accents', 'shopfloor')(column)) }}
{%- endmacro %}

{% macro duckdb__remove_accents(column) -%}
    strip_accents({{ column }})
{%- endmacro %}

{% macro default__remove_accents(column) -%}
    translate({{ column }},
        'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöøùúûüýÿ',
        'AAAAAACEEEEIIIINOOOOOOUUUUYaaaaaaceeeeiiiinoooooouuuuyy')
{%- endmacro %}
