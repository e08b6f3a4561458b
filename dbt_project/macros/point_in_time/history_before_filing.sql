{#- Per election of `elections` (a relation with election_key and filed_on): the events of other elections with
    the same `key` dated strictly before its filing date, counted, and their `weight` summed. With window_days,
    only the events of the window_days days before the filing (the filing day itself never counts).

    One sort per key, no self-join: each election adds a lookup row at its filing date (and one at the window's
    start), sorted before the events of the same day, so a running sum at the lookup row holds exactly the events
    of earlier days; the window's total is the difference of the two running sums. -#}
{% macro history_before_filing(elections, key, event_date, weight='1', window_days=none) %}
    with timeline as (
        select election_key, {{ key }} as history_key, filed_on as on_date, 'at_filing' as lookup,
            0 as is_event, 0 as weight
        from {{ elections }}
        where {{ key }} is not null and filed_on is not null
        {%- if window_days is not none %}
        union all
        select election_key, {{ key }}, {{ dbt.dateadd('day', -window_days, 'filed_on') }}, 'window_start', 0, 0
        from {{ elections }}
        where {{ key }} is not null and filed_on is not null
        {%- endif %}
        union all
        select election_key, {{ key }}, {{ event_date }}, cast(null as {{ dbt.type_string() }}), 1,
            {{ weight }}
        from {{ elections }}
        where {{ key }} is not null and {{ event_date }} is not null and {{ weight }} is not null
    ),

    running as (
        select
            election_key,
            lookup,
            sum(is_event) over history as events,
            sum(weight) over history as weights
        from timeline
        window history as (
            partition by history_key order by on_date, is_event
            rows between unbounded preceding and current row
        )
    )

    select
        at_filing.election_key,
        at_filing.events {%- if window_days is not none %} - window_start.events {%- endif %} as events,
        at_filing.weights {%- if window_days is not none %} - window_start.weights {%- endif %} as weights
    from running as at_filing
    {%- if window_days is not none %}
    inner join running as window_start
        on at_filing.election_key = window_start.election_key and window_start.lookup = 'window_start'
    {%- endif %}
    where at_filing.lookup = 'at_filing'
{% endmacro %}
