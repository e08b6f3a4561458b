{#- Employer names and workplace addresses in the one spelling the employer resolution compares
    (models/intermediate/resolution/int_employer_mentions.sql, shopfloor.resolution.employers).
    Everything is regexp_replace(..., 'g') on space-padded upper-case text, which DuckDB and PostgreSQL
    share; the one adapter-specific call (extracting a capture group) is dispatched. Word boundaries are
    written as spaces, not \b: PostgreSQL reads \b as a backspace. -#}

{#- Capture group `group` of the first match of `pattern` in `column`, or NULL. -#}
{% macro regex_group(column, pattern, group=1) -%}
    {{ return(adapter.dispatch('regex_group', 'shopfloor')(column, pattern, group)) }}
{%- endmacro %}

{% macro default__regex_group(column, pattern, group) -%}
    (regexp_match({{ column }}, '{{ pattern }}'))[{{ group }}]
{%- endmacro %}

{% macro duckdb__regex_group(column, pattern, group) -%}
    nullif(regexp_extract({{ column }}, '{{ pattern }}', {{ group }}), '')
{%- endmacro %}

{#- Upper case, '&' as AND, d/b/a spelled one way (' DBA '), periods and apostrophes dropped (L.L.C. -> LLC),
    other punctuation as spaces, single spaces, padded with one space at each end. -#}
{% macro employer_name_padded(column) -%}
    ' ' || trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        upper({{ column }}),
        '&', ' AND ', 'g'),
        'D/B/A|D\.B\.A\.?|DOING BUSINESS AS|T/A|TRADING AS', ' DBA ', 'g'),
        '[.'']', '', 'g'),
        '[^A-Z0-9#]+', ' ', 'g'),
        ' +', ' ', 'g')) || ' '
{%- endmacro %}

{#- The store number a name or worksite carries: "#1234", "STORE 1234", "NO 1234", or a trailing number. -#}
{% macro employer_store_number(padded) -%}
    coalesce(
        {{ regex_group(padded, ' (?:STORE|STORE NO|STORE #|NO|NUMBER|UNIT|LOCATION|#) ?#?([0-9]{2,6}) ', 1) }},
        {{ regex_group(padded, ' ([0-9]{3,6}) $', 1) }}
    )
{%- endmacro %}

{#- The name without its store number (same patterns as employer_store_number), still padded. -#}
{% macro employer_name_without_store(padded) -%}
    regexp_replace(regexp_replace({{ padded }},
        ' (STORE|STORE NO|STORE #|NO|NUMBER|UNIT|LOCATION|#) ?#?[0-9]{2,6} ', ' ', 'g'),
        ' [0-9]{3,6} $', ' ', 'g')
{%- endmacro %}

{#- Legal-form words at the end of a padded name, up to two of them ("COMPANY INC"), and a leading THE. -#}
{% macro employer_strip_legal_suffix(padded) -%}
    {%- set suffix = "(INC|INCORPORATED|LLC|L L C|CORP|CORPORATION|CO|COMPANY|LTD|LIMITED|LP|L P|LLP|PLLC|PC|PA|"
                     "LIMITED PARTNERSHIP|LIMITED LIABILITY COMPANY|HOLDINGS|GROUP)" -%}
    regexp_replace(regexp_replace(regexp_replace({{ padded }},
        ' {{ suffix }} $', ' ', 'g'),
        ' {{ suffix }} $', ' ', 'g'),
        '^ THE ', ' ', 'g')
{%- endmacro %}

{#- Abbreviations the union and inspectors use, spelled out (padded in, padded out). -#}
{% macro employer_expand_abbreviations(padded) -%}
    {%- set words = {
        'HLTH': 'HEALTH', 'HOSP': 'HOSPITAL', 'REG': 'REGIONAL', 'MED': 'MEDICAL', 'CTR': 'CENTER',
        'CNTR': 'CENTER', 'LOG': 'LOGISTICS', 'DIST': 'DISTRIBUTION', 'PROC': 'PROCESSING',
        'MFG': 'MANUFACTURING', 'SVCS': 'SERVICES', 'SVC': 'SERVICE', 'INTL': 'INTERNATIONAL',
        'TRANS': 'TRANSPORT', 'CONST': 'CONSTRUCTION', 'UNIV': 'UNIVERSITY', 'UNV': 'UNIVERSITY',
        'SUPCTR': 'SUPERCENTER', 'ASSOC': 'ASSOCIATES', 'NATL': 'NATIONAL', 'MKT': 'MARKET',
        'REHAB': 'REHABILITATION', 'DEPT': 'DEPARTMENT', 'BROS': 'BROTHERS', 'MT': 'MOUNT', 'ST': 'SAINT',
    } -%}
    {%- set ns = namespace(sql=padded) -%}
    {%- for short, long in words.items() -%}
        {%- set ns.sql = "regexp_replace(" ~ ns.sql ~ ", ' " ~ short ~ " ', ' " ~ long ~ " ', 'g')" -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}

{#- A padded address: upper case, punctuation as spaces, unit designators dropped, directionals and street
    suffixes in USPS abbreviations. -#}
{% macro site_address_padded(column) -%}
    {%- set words = {
        'NORTH': 'N', 'SOUTH': 'S', 'EAST': 'E', 'WEST': 'W', 'NORTHEAST': 'NE', 'NORTHWEST': 'NW',
        'SOUTHEAST': 'SE', 'SOUTHWEST': 'SW', 'STREET': 'ST', 'AVENUE': 'AVE', 'AV': 'AVE', 'ROAD': 'RD',
        'DRIVE': 'DR', 'LANE': 'LN', 'COURT': 'CT', 'BOULEVARD': 'BLVD', 'PARKWAY': 'PKWY', 'PKY': 'PKWY',
        'HIGHWAY': 'HWY', 'PLACE': 'PL', 'CIRCLE': 'CIR', 'TRAIL': 'TRL', 'TERRACE': 'TER', 'SQUARE': 'SQ',
        'EXPRESSWAY': 'EXPY', 'FREEWAY': 'FWY', 'ALLEY': 'ALY',
    } -%}
    {%- set unit = "' (SUITE|STE|UNIT|APT|BLDG|BUILDING|RM|ROOM|#) ?[A-Z0-9-]*$'" -%}
    {%- set ns = namespace(sql="' ' || trim(regexp_replace(regexp_replace(regexp_replace(upper(" ~ column ~ "), "
        ~ "'[.,'']', ' ', 'g'), " ~ unit ~ ", '', 'g'), ' +', ' ', 'g')) || ' '") -%}
    {%- for long, short in words.items() -%}
        {%- set ns.sql = "regexp_replace(" ~ ns.sql ~ ", ' " ~ long ~ " ', ' " ~ short ~ " ', 'g')" -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}

{#- The house number of a padded address ("1488" of " 1488 FOREST AVE "). -#}
{% macro site_street_number(padded) -%}
    {{ regex_group(padded, '^ ([0-9]+[A-Z]?) ', 1) }}
{%- endmacro %}

{#- The padded address after its house number ("FOREST AVE"). -#}
{% macro site_street_name(padded) -%}
    nullif(trim(regexp_replace({{ padded }}, '^ [0-9]+[A-Z]? ', ' ', 'g')), '')
{%- endmacro %}

{#- The whole standardization of a raw name, as used by int_employer_mentions: -#}

{#- Store number of a raw employer name. -#}
{% macro employer_store_number_of(column) -%}
    {{ employer_store_number(employer_name_padded(column)) }}
{%- endmacro %}

{#- Legal name of a raw employer name: before any d/b/a, no store number, legal form or leading THE,
    abbreviations spelled out ("Wal-Mart Stores, Inc. #1234" -> "WAL MART STORES"). -#}
{% macro employer_legal_name_core(column) -%}
    {%- set without_store = employer_name_without_store(employer_name_padded(column)) -%}
    {%- set legal = "coalesce(" ~ regex_group(without_store, '^(.*) DBA ') ~ " || ' ', " ~ without_store ~ ")" -%}
    nullif(trim({{ employer_expand_abbreviations(employer_strip_legal_suffix(legal)) }}), '')
{%- endmacro %}

{#- Trade name of a raw employer name: after d/b/a, standardized like the legal name; NULL without d/b/a. -#}
{% macro employer_dba_name_core(column) -%}
    {%- set without_store = employer_name_without_store(employer_name_padded(column)) -%}
    {%- set dba = "' ' || trim(" ~ regex_group(without_store, ' DBA (.*)$') ~ ") || ' '" -%}
    nullif(trim({{ employer_expand_abbreviations(employer_strip_legal_suffix(dba)) }}), '')
{%- endmacro %}

{#- House number and standardized street of a raw address; NULL without a house number. -#}
{% macro site_address_key(column) -%}
    case when {{ site_street_number(site_address_padded(column)) }} is not null
        then nullif(trim({{ site_address_padded(column) }}), '') end
{%- endmacro %}
