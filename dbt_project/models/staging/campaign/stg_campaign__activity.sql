-- The campaign activity log: the latest export's version of each activity (weekly exports overlap), with the
-- CRM's labels decoded into the experiments' tactic names (config/experiments/*.yaml arms) and result codes.
with latest_activity as (
    {{ latest_record_per_key(source('campaign', 'campaign_activity'), ['activity_id']) }}
),

decoded as (
    select
        trim(activity_id) as activity_id,
        activity_date as activity_on,
        {{ clean_text('experiment') }} as experiment,
        trim(workplace_id) as workplace_id,
        nullif(trim(worker_key), '') as worker_key,
        nullif(trim(contact_id), '') as contact_id,
        case lower({{ clean_text('activity_type') }})
            when 'house visit' then 'house_visit'
            when 'phone call' then 'phone'
            when '1:1 conversation' then 'coworker_one_on_one'
            when 'card signed' then 'card_signed'
            -- Another experiment's tactic: its label in snake case, which must then be that experiment's arm name.
            else trim(both '_' from regexp_replace(lower(trim(activity_type)), '[^a-z0-9]+', '_', 'g'))
        end as activity_type,
        trim(both '_' from regexp_replace(lower(trim(result)), '[^a-z0-9]+', '_', 'g')) as result,
        nullif(trim(organizer_id), '') as organizer_id,
        _loaded_at as loaded_at
    from latest_activity
)

select
    activity_id,
    activity_on,
    experiment,
    workplace_id,
    worker_key,
    contact_id,
    activity_type,
    result,
    organizer_id,
    activity_type <> 'card_signed' as is_contact_attempt,
    -- A refusal is still a conversation: the organizer reached the person.
    activity_type <> 'card_signed' and result in ('contact_made', 'refused', 'declined') as is_contact_made,
    loaded_at
from decoded
where {{ not_forgotten(raw_person_key('campaign_activity')) }}
