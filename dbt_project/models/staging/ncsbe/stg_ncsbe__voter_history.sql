-- North Carolina voter history: one row per voter and election. ncvhis files are cumulative, so a
-- voter's election appears in every loaded file; keep the latest version of each.
with latest_history as (
    {{ latest_record_per_key(source('ncsbe', 'ncvhis'), ['ncid', 'election_lbl']) }}
)

select
    {{ clean_code('ncid') }} as ncid,
    election_lbl as election_date,
    {{ clean_text('election_desc') }} as election_description,
    case
        when upper(election_desc) like '%PRIMARY%' then 'PRIMARY'
        when upper(election_desc) like '%GENERAL%' then 'GENERAL'
        else 'SPECIAL'
    end as election_type,
    {{ clean_text('voting_method') }} as voting_method,
    {{ clean_code('voted_party_cd') }} as voted_party_code,
    county_id,
    {{ clean_text('county_desc') }} as county_name,
    {{ dbt.safe_cast('trim(voted_county_id)', dbt.type_int()) }} as voted_county_id,
    {{ clean_code('pct_label') }} as precinct_code,
    _loaded_at as loaded_at
from latest_history
where {{ not_forgotten(raw_person_key('ncvhis')) }}
