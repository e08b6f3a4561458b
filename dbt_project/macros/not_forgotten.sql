{#- People who asked to be deleted (`shopfloor forget`). Their keys go on the suppression list (column
    person_key); staging leaves their rows out, so no mart, score or list built afterwards carries them and a
    re-landed file cannot bring them back, and the operation forget_raw_rows deletes their raw rows. -#}

{#- The person key of a raw row of each source that names people: the key its staging model and person_links
    give it (members and grievances by member id, contacts by contact id, registrations by state and voter id,
    campaign activity by the worker key it was logged under). -#}
{% macro raw_person_key(table, alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- if table in ('members', 'grievances') -%}
        {{ person_key(prefix ~ 'member_id') }}
    {%- elif table == 'organizing_contacts' -%}
        {{ person_key("'contact:' || " ~ prefix ~ "contact_id") }}
    {%- elif table in ('ncvoter', 'ncvhis') -%}
        {{ person_key("'NC:' || " ~ clean_code(prefix ~ 'ncid')) }}
    {%- elif table in ('ohio_voters', 'ohio_voter_history') -%}
        {{ person_key("'OH:' || " ~ clean_code(prefix ~ 'sos_voterid')) }}
    {%- elif table == 'campaign_activity' -%}
        nullif(trim({{ prefix }}worker_key), '')
    {%- else -%}
        {{ exceptions.raise_compiler_error("raw_person_key: no person key for raw table " ~ table) }}
    {%- endif -%}
{%- endmacro %}

{#- The raw tables raw_person_key knows, with their dbt source. -#}
{% macro forgettable_sources() -%}
    {{ return([('union_roll', 'members'), ('union_roll', 'grievances'), ('organizing', 'organizing_contacts'),
               ('ncsbe', 'ncvoter'), ('ncsbe', 'ncvhis'), ('ohio_sos', 'ohio_voters'),
               ('ohio_sos', 'ohio_voter_history'), ('campaign', 'campaign_activity')]) }}
{%- endmacro %}

{#- True unless the key is on the suppression list as forgotten. NOT EXISTS, not NOT IN: a NULL key stays. -#}
{% macro not_forgotten(key_expression) -%}
    not exists (
        select 1 from {{ source('suppression', 'suppression_list') }} as forgotten
        where trim(forgotten.person_key) = {{ key_expression }}
    )
{%- endmacro %}

{#- dbt run-operation forget_raw_rows --args '{keys: [...]}': delete the raw rows of those people from every table
    that names people. The keys are hex digests (shopfloor.forget checks them before it calls this). -#}
{% macro forget_raw_rows(keys) %}
    {%- for key in keys if not modules.re.fullmatch('[0-9a-f]{32}', key) -%}
        {{ exceptions.raise_compiler_error("forget_raw_rows: not a person key: a key has " ~ key | length ~ " characters") }}
    {%- endfor -%}
    {%- set listed = "'" ~ keys | join("', '") ~ "'" -%}
    {%- for source_name, table in forgettable_sources() -%}
        {%- set relation = source(source_name, table) -%}
        {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is not none -%}
            {%- do run_query("delete from " ~ relation ~ " where " ~ raw_person_key(table) ~ " in (" ~ listed ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do adapter.commit() -%}
{% endmacro %}
