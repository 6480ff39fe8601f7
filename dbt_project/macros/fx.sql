{#- Currency conversion into the group currency, written once (rates come from
    int_fx_rates__windowed: one row per currency and validity window). -#}

{#- The join condition picking the rate of `currency` in force on `on_date`: the window
    with valid_from_date <= on_date < valid_to_date (open-ended when valid_to_date is null).
    Example: left join fx_windows on {{ fx_rate_in_force('orders.currency', 'orders.order_date') }} -#}
{% macro fx_rate_in_force(currency, on_date, rates='fx_windows') -%}
    {{ currency }} = {{ rates }}.from_currency
        and {{ on_date }} >= {{ rates }}.valid_from_date
        and ({{ rates }}.valid_to_date is null or {{ on_date }} < {{ rates }}.valid_to_date)
{%- endmacro %}

{#- An amount converted with `rate`, as money: decimal(18, 4), rounded to 4 decimals after
    multiplying at full precision. `unit_price`, when given, makes `amount` a quantity
    valued at that price (in the price's currency) before conversion.
    Example: {{ to_group_currency('invoices.net_amount', 'fx_windows.rate') }},
             {{ to_group_currency('receipts.quantity', 'fx_windows.rate', unit_price='order_lines.unit_price') }} -#}
{% macro to_group_currency(amount, rate, unit_price=none) -%}
    cast(round(cast({{ amount }} as decimal(38, 4))
        {%- if unit_price is not none %} * {{ unit_price }}{% endif %} * {{ rate }}, 4) as decimal(18, 4))
{%- endmacro %}
