{#- NLRB case numbers read "<region>-<case type>-<serial>", e.g. 06-RC-309800: the type is the middle part. -#}
{% macro nlrb_case_type_code(case_number) -%}
    upper({{ dbt.split_part(case_number, "'-'", 2) }})
{%- endmacro %}

{#- Tally types as the two NLRB exports spell them ("Run-off", "Runoff") -> Initial / Rerun / Runoff. -#}
{% macro nlrb_tally_type(column) -%}
    case upper(replace(trim({{ column }}), '-', ''))
        when 'INITIAL' then 'Initial'
        when 'RERUN' then 'Rerun'
        when 'RUNOFF' then 'Runoff'
    end
{%- endmacro %}

{#- One spelling of a case number across the NLRB's systems: CATS wrote 01-RC-20984, NxGen 01-RC-020984.
    Region two digits, serial six (NxGen's form); anything else is kept as clean_code gives it. -#}
{% macro nlrb_case_number(column) -%}
    {%- set pattern = '^([0-9]+)-([A-Z]+)-0*([0-9]+)$' -%}
    {%- set cleaned = 'upper(trim(' ~ column ~ '))' -%}
    case
        when {{ regex_group(cleaned, pattern, 3) }} is not null then {{ dbt.concat([
            "lpad(" ~ regex_group(cleaned, pattern, 1) ~ ", 2, '0')", "'-'", regex_group(cleaned, pattern, 2), "'-'",
            "lpad(" ~ regex_group(cleaned, pattern, 3) ~ ", 6, '0')"]) }}
        else {{ clean_code(column) }}
    end
{%- endmacro %}

{#- The fiscal year of a date: the federal year runs October to September (FY2011 began 2010-10-01). -#}
{% macro federal_fiscal_year(column) -%}
    (extract(year from {{ column }}) + case when extract(month from {{ column }}) >= 10 then 1 else 0 end)
{%- endmacro %}

{#- The Board's word on an election, from how the case closed (the label organizers and the NLRB's reports use):
    a certification of representative (or an amended one) means the union won, a certification of results that
    it lost; any other closing (withdrawn, dismissed, still open) certifies nothing: NULL. CATS writes
    "Rep   (Certification of Representative)", NxGen "Certific. of Representative". -#}
{% macro nlrb_certified_union_won(closing) -%}
    case
        when upper({{ closing }}) like 'REP %' or upper({{ closing }}) like 'CERTIFIC%OF REP%'
            or upper({{ closing }}) like 'AMCRT%' or upper({{ closing }}) like 'AMENDED CERT%' then true
        when upper({{ closing }}) like 'RESUL%' or upper({{ closing }}) like 'CERTIFIC%OF RESULTS%' then false
    end
{%- endmacro %}
