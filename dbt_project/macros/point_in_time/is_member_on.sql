{#- A member on the roll counts as a member on a date when they joined strictly before it and have not left
    (terminated, retired). The roll is the latest snapshot with no leaving date, so those who left are out at
    every date. -#}
{% macro is_member_on(joined_on, member_status, as_of_date) -%}
    coalesce({{ joined_on }} < {{ as_of_date }} and {{ member_status }} not in ('terminated', 'retired'), false)
{%- endmacro %}
