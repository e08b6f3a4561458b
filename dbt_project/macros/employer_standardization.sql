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

{#- Upper case, '&' as AND, other names of the employer spelled one way (' DBA '), periods and apostrophes
    dropped or spaced, other punctuation as spaces, single spaces, padded with one space at each end.
    Separators (D/B/A, DBA, DOING BUSINESS AS, T/A, TRADING AS, A/K/A, AKA, ALSO KNOWN AS, F/K/A, FKA,
    FORMERLY KNOWN AS) count only as whole words: the boundary character either side is captured and put back
    (no lookaround), so "TRADING ASSOCIATION" and "EAST/AMERICAN" stay whole. A period between two words of two
    or more letters or digits becomes a space ("TRANSP.MGMT.CORP." -> "TRANSP MGMT CORP", so legal forms and
    abbreviations are seen; twice, as each match uses up the word after it), other periods go (single letters
    collapse: "L.L.C." -> "LLC", "U.S.A." -> "USA").
    A P.A. or P.C. after a comma is a legal form ("SMITH, P.A."), a bare PA a state ("RICHFOOD OF PA"): the
    comma form is marked here as the lower-case word ' pa ' / ' pc ' (the name is upper case by then, so nothing
    else is lower case), which employer_strip_legal_suffix strips and upper() turns back into PA / PC. -#}
{% macro employer_name_marked(column) -%}
    {%- set separators = "D/B/A|D\.B\.A\.?|DBA|DOING +BUSINESS +AS|T/A|TRADING +AS|A/K/A|A\.K\.A\.?|AKA|ALSO +KNOWN +AS|"
                         "F/K/A|F\.K\.A\.?|FKA|FORMERLY +KNOWN +AS" -%}
    ' ' || trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        regexp_replace(regexp_replace(regexp_replace(
        upper({{ column }}),
        '&', ' AND ', 'g'),
        ', *P\.? *A\.?([^A-Z0-9]|$)', ' pa \1', 'g'),
        ', *P\.? *C\.?([^A-Z0-9]|$)', ' pc \1', 'g'),
        '(^|[^A-Z0-9])({{ separators }})([^A-Z0-9]|$)', '\1 DBA \3', 'g'),
        '([A-Z0-9]{2})\.([A-Z0-9]{2})', '\1 \2', 'g'),
        '([A-Z0-9]{2})\.([A-Z0-9]{2})', '\1 \2', 'g'),
        '[.'']', '', 'g'),
        '[^A-Za-z0-9#]+', ' ', 'g'),
        ' +', ' ', 'g')) || ' '
{%- endmacro %}

{#- The padded name in the one spelling (the marks of employer_name_marked back to PA / PC). -#}
{% macro employer_name_padded(column) -%}
    upper({{ employer_name_marked(column) }})
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

{#- Legal-form words at the end of a padded name, up to two of them ("COMPANY INC"), and a leading THE; each
    only with a word left before it, so no name is emptied ("THE LIMITED" -> "LIMITED"). GROUP and HOLDINGS
    are part of real names and stay; PA / PC only in their comma form (the ' pa ' / ' pc ' marks). -#}
{% macro employer_strip_legal_suffix(padded) -%}
    {%- set suffix = "(INC|INCORPORATED|LLC|L L C|CORP|CORPORATION|CO|COMPANY|LTD|LIMITED|LP|L P|LLP|PLLC|pc|pa|"
                     "LIMITED PARTNERSHIP|LIMITED LIABILITY COMPANY)" -%}
    regexp_replace(regexp_replace(regexp_replace({{ padded }},
        '^ THE ([^ ])', ' \1', 'g'),
        '( [^ ]+) {{ suffix }} $', '\1 ', 'g'),
        '( [^ ]+) {{ suffix }} $', '\1 ', 'g')
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
        'TRANSP': 'TRANSPORTATION', 'MGMT': 'MANAGEMENT',
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

{#- Legal name of a raw employer name: before the first d/b/a (or a/k/a, f/k/a), no store number, legal form or
    leading THE, abbreviations spelled out ("Wal-Mart Stores, Inc. #1234" -> "WAL MART STORES"). -#}
{% macro employer_legal_name_core(column) -%}
    {%- set without_store = employer_name_without_store(employer_name_marked(column)) -%}
    {%- set legal = "coalesce(" ~ regex_group(without_store, '^(.*?) DBA ') ~ " || ' ', " ~ without_store ~ ")" -%}
    nullif(trim(upper({{ employer_expand_abbreviations(employer_strip_legal_suffix(legal)) }})), '')
{%- endmacro %}

{#- Trade name of a raw employer name: after the first d/b/a (or a/k/a, f/k/a: another name of the same
    employer) up to any next one, standardized like the legal name; NULL without one. -#}
{% macro employer_dba_name_core(column) -%}
    {%- set without_store = employer_name_without_store(employer_name_marked(column)) -%}
    {%- set dba = "regexp_replace(' ' || trim(" ~ regex_group(without_store, ' DBA (.*)$')
                  ~ ") || ' ', ' DBA .*$', ' ', 'g')" -%}
    nullif(trim(upper({{ employer_expand_abbreviations(employer_strip_legal_suffix(dba)) }})), '')
{%- endmacro %}

{#- The key a core name is compared by: spaces dropped, so MEGA-MART, MEGA MART and MEGAMART agree. -#}
{% macro employer_name_key(core) -%}
    replace({{ core }}, ' ', '')
{%- endmacro %}

{#- Whether a raw name fills the width its file cuts names at (the CATS release cuts at 30 characters, and a cut
    that ends in a space leaves 29): at least 25 characters and within one of the longest name in `partition_by`.
    Its last word may be cut off ("OVERNITE TRANSPORTATION COMPAN"). -#}
{% macro employer_name_cut(column, partition_by) -%}
    coalesce(length({{ column }}) >= 25
             and length({{ column }}) >= max(length({{ column }})) over (partition by {{ partition_by }}) - 1, false)
{%- endmacro %}

{#- House number and standardized street of a raw address; NULL without a house number. -#}
{% macro site_address_key(column) -%}
    case when {{ site_street_number(site_address_padded(column)) }} is not null
        then nullif(trim({{ site_address_padded(column) }}), '') end
{%- endmacro %}
