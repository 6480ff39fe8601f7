{#- Empirical-Bayes shrinkage of a rate toward its peers' rate (beta-binomial), written once.
    A supplier with `successes` out of `trials` and a prior (rate `prior_rate`, strength
    `prior_strength` pseudo-trials, from the peers' spread) has the posterior rate
    (successes + prior_strength x prior_rate) / (trials + prior_strength): thin histories
    stay near their peers, long ones keep their own rate. -#}

{#- Prior strength from the method of moments: with the peers' pooled rate m, the variance
    of their observed rates v and the mean sampling variance m(1 - m) x mean(1 / trials),
    the between-supplier variance is tau2 = v - m(1 - m) x mean(1 / trials) and the strength
    k = m(1 - m) / tau2 - 1, floored at 0 and capped at max_strength (tau2 <= 0: no
    detectable spread, the cap). -#}
{% macro beta_prior_strength(pooled_rate, rate_variance, mean_inverse_trials, max_strength) -%}
    case
        when {{ rate_variance }} - {{ pooled_rate }} * (1 - {{ pooled_rate }}) * {{ mean_inverse_trials }} <= 0
            then {{ max_strength }}
        else least(greatest(
            {{ pooled_rate }} * (1 - {{ pooled_rate }})
                / ({{ rate_variance }} - {{ pooled_rate }} * (1 - {{ pooled_rate }}) * {{ mean_inverse_trials }})
                - 1,
            0
        ), {{ max_strength }})
    end
{%- endmacro %}

{#- The posterior mean rate. -#}
{% macro shrunk_rate(rate, trials, prior_rate, prior_strength) -%}
    ({{ rate }} * {{ trials }} + {{ prior_strength }} * {{ prior_rate }}) / ({{ trials }} + {{ prior_strength }})
{%- endmacro %}

{#- The posterior mean +- z posterior standard deviations (normal approximation to the
    beta posterior: sd = sqrt(r(1 - r) / (trials + prior_strength + 1))), clipped to [0, 1];
    `side` is -1 (lower bound) or +1 (upper bound). -#}
{% macro shrunk_rate_bound(posterior_rate, trials, prior_strength, z, side) -%}
    least(greatest(
        {{ posterior_rate }} + ({{ side }}) * {{ z }}
            * sqrt({{ posterior_rate }} * (1 - {{ posterior_rate }}) / ({{ trials }} + {{ prior_strength }} + 1)),
        0
    ), 1)
{%- endmacro %}

{#- The standard normal CDF Phi(x) (DuckDB has no erf): the logistic approximation
    1 / (1 + exp(-(0.07056 x^3 + 1.5976 x))), absolute error below 1.4e-4 (Bowling et al.
    2009); x clipped to [-8, 8]. -#}
{% macro normal_cdf(x) -%}
    (1 / (1 + exp(-(0.07056 * pow(least(greatest({{ x }}, -8), 8), 3) + 1.5976 * least(greatest({{ x }}, -8), 8)))))
{%- endmacro %}
