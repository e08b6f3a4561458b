{#- No row repeats the combination of `columns` (dbt_utils' unique_combination_of_columns, which hub
    packages would bring but cannot be installed here). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
