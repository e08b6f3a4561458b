{#- Raw tables append one load per file, so a voter file or member roll loaded twice holds two versions of
    each record. Keep the latest: newest load, then the later file name (exports are dated), then the later
    line within the file. -#}
{% macro latest_record_per_key(relation, key_columns) -%}
    select *
    from (
        select
            loaded_rows.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by _loaded_at desc, _source_file desc, _source_line desc
            ) as _recency_rank
        from {{ relation }} as loaded_rows
    ) as ranked_rows
    where _recency_rank = 1
{%- endmacro %}
