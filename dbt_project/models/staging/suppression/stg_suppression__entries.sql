-- The suppression list: every entry of every loaded file, kept whole (no latest-version dedup). Matching to
-- people lives in one place, shopfloor/publish/suppress.py; this model only cleans the values and flags entries
-- that name nobody a matcher could find.
with entries as (
    select * from {{ source('suppression', 'suppression_list') }}
),

cleaned as (
    select
        _source_file as source_file,
        _source_line as source_line,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        lower({{ clean_text('email') }}) as email,
        {{ clean_text('phone') }} as phone,
        {{ zip5('zip') }} as zip5,
        {{ clean_text('member_id') }} as member_id,
        -- Written by `shopfloor forget`: the pseudonymous key of a person who asked to be deleted.
        {{ clean_text('person_key') }} as person_key,
        {{ clean_text('reason') }} as reason,
        added_on,
        _loaded_at as loaded_at
    from entries
)

select
    *,
    coalesce(
        email is not null
        or length(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')) >= 10
        or member_id is not null
        or person_key is not null
        or (last_name is not null and first_name is not null and zip5 is not null),
        false
    ) as has_identifier
from cleaned
