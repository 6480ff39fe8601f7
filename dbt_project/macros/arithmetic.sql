{#- Arithmetic written once: ratios with an empty denominator, percentage changes, sample
    standard deviations from running sums and tolerance checks. Each macro expands to one
    SQL expression; callers pass column expressions as strings. -#}

{#- numerator / denominator as a double; null (no evidence, not zero) when the denominator
    is 0 or null. With `decimals`, rounded to that many decimals.
    Example: {{ safe_ratio('on_time_line_count', 'due_line_count', 6) }} -#}
{% macro safe_ratio(numerator, denominator, decimals=none) -%}
    {%- if decimals is none -%}
        cast({{ numerator }} / nullif({{ denominator }}, 0) as double)
    {%- else -%}
        round(cast({{ numerator }} / nullif({{ denominator }}, 0) as double), {{ decimals }})
    {%- endif -%}
{%- endmacro %}

{#- How far `value` is above `base`, in percent (100 x (value / base - 1)), rounded to
    `decimals`; null when the base is 0 or null.
    Example: {{ percent_change('avg_price_paid_group', 'previous_price_paid_group') }} -#}
{% macro percent_change(value, base, decimals=4) -%}
    round(cast(100.0 * ({{ value }} / nullif({{ base }}, 0) - 1) as double), {{ decimals }})
{%- endmacro %}

{#- The sample standard deviation of n values from their sum and sum of squares (running
    totals over a window): sqrt(max((sum of squares - sum^2 / n) / (n - 1), 0)); the floor
    at 0 absorbs rounding error. The caller guards n >= 2. -#}
{% macro sample_stddev_from_sums(sum, sum_of_squares, count) -%}
    sqrt(greatest(
        ({{ sum_of_squares }} - {{ sum }} * {{ sum }} / {{ count }}) / ({{ count }} - 1),
        0
    ))
{%- endmacro %}

{#- True when |difference| <= tolerance_abs + tolerance_rel x scale (scale: the magnitude
    the relative tolerance applies to, e.g. abs(book_quantity)). -#}
{% macro within_tolerance(difference, scale, tolerance_abs, tolerance_rel) -%}
    abs({{ difference }}) <= {{ tolerance_abs }} + {{ tolerance_rel }} * {{ scale }}
{%- endmacro %}
