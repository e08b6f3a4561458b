-- One row per campaign activity: the outcomes and contacts the experiments on tactics are analyzed from
-- (shopfloor/experiments/outcomes.py). A worker's card counts once: a second card from the same CRM contact at
-- the same workplace (signed again at a meeting after signing online) is kept but not counted. The CRM's person
-- id stays in staging.
with ranked as (
    select
        activity.*,
        row_number() over (
            partition by activity.workplace_id, activity.activity_type,
                coalesce(activity.contact_id, activity.activity_id)
            order by activity.activity_on, activity.activity_id
        ) as contact_card_rank
    from {{ ref('stg_campaign__activity') }} as activity
)

select
    activity_id,
    activity_on,
    experiment,
    workplace_id,
    worker_key,
    activity_type,
    result,
    organizer_id,
    is_contact_attempt,
    is_contact_made,
    activity_type = 'card_signed' and contact_card_rank = 1 as is_card_signed
from ranked
