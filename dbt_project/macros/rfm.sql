{#- RFM scoring rules, shared by customer_rfm and its unit tests. -#}

{#- Quintile score 1..5 of a rank (1 = worst) among n customers:
    1 + floor(5 x share of customers strictly worse). Ties share a score, the lower one:
    a tie never gets credit for the customers it ties with. -#}
{% macro rfm_quintile(rank_column, count_column) -%}
    cast(1 + floor(5.0 * ({{ rank_column }} - 1) / {{ count_column }}) as integer)
{%- endmacro %}

{#- Combined frequency-monetary score: the mean of F and M, halves rounded up. -#}
{% macro rfm_fm_score(f_score, m_score) -%}
    cast(floor(({{ f_score }} + {{ m_score }} + 1) / 2) as integer)
{%- endmacro %}

{#- Named segment from the recency score R and the frequency-monetary score FM (the
    classic R x FM grid):
        R \ FM   1                2                3                4            5
        5        new_customers    potential_loy.   potential_loy.   champions    champions
        4        promising        potential_loy.   potential_loy.   loyal        loyal
        3        about_to_sleep   about_to_sleep   need_attention   loyal        loyal
        2        hibernating      hibernating      at_risk          at_risk      cannot_lose
        1        lost             hibernating      at_risk          at_risk      cannot_lose -#}
{% macro rfm_segment(r_score, fm_score) -%}
    case
        when {{ r_score }} = 5 and {{ fm_score }} >= 4 then 'champions'
        when {{ r_score }} >= 3 and {{ fm_score }} >= 4 then 'loyal'
        when {{ r_score }} >= 4 and {{ fm_score }} >= 2 then 'potential_loyalists'
        when {{ r_score }} = 5 then 'new_customers'
        when {{ r_score }} = 4 then 'promising'
        when {{ r_score }} = 3 and {{ fm_score }} = 3 then 'need_attention'
        when {{ r_score }} = 3 then 'about_to_sleep'
        when {{ fm_score }} = 5 then 'cannot_lose'
        when {{ fm_score }} >= 3 then 'at_risk'
        when {{ r_score }} = 1 and {{ fm_score }} = 1 then 'lost'
        else 'hibernating'
    end
{%- endmacro %}
