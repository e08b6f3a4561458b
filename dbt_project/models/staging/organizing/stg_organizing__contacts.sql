-- The organizing contacts: the latest export's version of each contact. Names and contact details stay in staging
-- and intermediate models for record linkage; marts carry only the pseudonymous worker_key.
with latest_contacts as (
    {{ latest_record_per_key(source('organizing', 'organizing_contacts'), ['contact_id']) }}
),

job_titles as (
    select * from {{ ref('job_title_classifications') }}
),

contacts as (
    select
        trim(contact_id) as contact_id,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_text('street_address') }} as street_address,
        {{ clean_text('city') }} as city,
        {{ clean_code('state') }} as state,
        {{ zip5('zip_code') }} as zip5,
        {{ clean_text('phone') }} as phone,
        lower({{ clean_text('email') }}) as email,
        {{ clean_text('employer_name') }} as employer_name,
        {{ clean_text('worksite_name') }} as worksite_name,
        {{ clean_text('worksite_address') }} as worksite_address,
        upper({{ clean_text('worksite_city') }}) as worksite_city,
        {{ clean_code('worksite_state') }} as worksite_state,
        {{ clean_text('job_title') }} as job_title,
        hire_date as hired_on,
        first_contact_date as first_contacted_on,
        lower({{ clean_text('contact_source') }}) as contact_source,
        lower({{ clean_text('email_subscription_status') }}) as email_subscription_status,
        lower({{ clean_text('sms_subscription_status') }}) as sms_subscription_status,
        {{ to_boolean('do_not_contact', blank_is_false=true) }} as asked_not_to_be_contacted,
        _source_file as source_file,
        _loaded_at as loaded_at
    from latest_contacts
)

select
    contacts.contact_id,
    -- Hashed with a 'contact:' prefix: a contact's key can never equal a member's (the bare member id's hash).
    {{ person_key("'contact:' || contacts.contact_id") }} as worker_key,
    contacts.first_name,
    contacts.last_name,
    contacts.street_address,
    contacts.city,
    contacts.state,
    contacts.zip5,
    contacts.phone,
    contacts.email,
    contacts.employer_name,
    contacts.worksite_name,
    contacts.worksite_address,
    contacts.worksite_city,
    contacts.worksite_state,
    contacts.job_title,
    job_titles.classification,
    contacts.hired_on,
    contacts.first_contacted_on,
    contacts.contact_source,
    contacts.email_subscription_status,
    contacts.sms_subscription_status,
    -- Someone who unsubscribed or complained asked to hear no more from the union: never on a list either.
    coalesce(contacts.asked_not_to_be_contacted, false)
        or coalesce(contacts.email_subscription_status in ('unsubscribed', 'spam complaint'), false)
        as is_do_not_contact,
    contacts.source_file,
    contacts.loaded_at
from contacts
left join job_titles
    on job_titles.job_title = trim(upper(regexp_replace(contacts.job_title, '[^A-Za-z]+', ' ', 'g')))
where {{ not_forgotten(raw_person_key('organizing_contacts', 'contacts')) }}
