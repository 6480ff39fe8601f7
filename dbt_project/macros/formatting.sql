{#- A figure as text for a human-readable reason: whole numbers from 1000 up ('12345'),
    else 4 significant digits ('0.9512', '1.2e-05'). -#}
{% macro format_figure(value) -%}
    case
        when abs({{ value }}) >= 1000 then printf('%.0f', {{ value }})
        else printf('%.4g', {{ value }})
    end
{%- endmacro %}
