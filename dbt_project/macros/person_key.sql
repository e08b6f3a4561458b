{#- Pseudonymous person key: a salted hash of a source id. Marts carry this key instead of names so that
    analysts can count and join people without seeing who they are; the salt (var person_key_salt) keeps
    anyone holding a member id from recomputing the key. -#}
{% macro person_key(id_column) -%}
    {%- set salt = "'" ~ dbt.escape_single_quotes(var('person_key_salt')) ~ "'" -%}
    {{ dbt.hash(dbt.concat([salt, "'|'", "trim(" ~ id_column ~ ")"])) }}
{%- endmacro %}
