"""The supplier base: companies → ERP vendor records, behaviour, bank accounts and offers.

A company's behaviour is a property of the company, not of one ERP record: a chronically
late or defective company is late or defective in every business unit that buys from it
(that is what makes entity resolution matter for scorecards). Each vendor record offers a
handful of materials its company's sector makes and its unit buys, re-quoted every 1-12
months from the category price index, with the company's own premium and tiered prices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.aliases import build_records
from demo.catalogue import Catalogue
from demo.catalogue_data import CATEGORIES
from demo.companies import build_companies, companies_frame
from demo.company_model import Company
from demo.fx import FxTable
from demo.lexicon import BANKS
from demo.prices import month_start_day
from demo.profile import Profile
from demo.rng import substream
from demo.timebase import DAY, business_time


@dataclass
class SupplierBase:
    """Everything about suppliers the simulation needs (ERP rows + truth + lookup arrays)."""

    companies: list[Company]
    company_truth: pd.DataFrame  # one row per company, with behaviour (ground truth)
    record_truth: pd.DataFrame  # vendor_id → company_id, variant types
    vendors: pd.DataFrame  # vendors rows + helper columns (company, behaviour, location)
    bank_accounts: pd.DataFrame  # vendor_bank_accounts history (valid_to filled by finalize)
    pairs: pd.DataFrame  # one row per (vendor, material) offered
    offers: pd.DataFrame  # supplier_offers rows, sorted by pair then period


def build_suppliers(profile: Profile, scale: float, seed: int, catalogue: Catalogue, users: pd.DataFrame,
                    fx: FxTable, price_index: np.ndarray, start: float, window_days: int) -> SupplierBase:
    """Companies, vendor records, behaviour, bank account history and offers."""
    sup = profile.suppliers
    n_companies = max(profile.scale.min_companies, round(profile.scale.companies * scale))
    companies = build_companies(n_companies, seed, near_twin_rate=sup.near_twin_rate,
                                foreign_share=sup.foreign_share, near_twin_weights=sup.near_twin_weights)
    records, truth = build_records(companies, seed, records_per_company=profile.scale.vendor_records_per_company,
                                   variant_weights=sup.variant_weights, canonical_prob=sup.canonical_record_prob,
                                   extra_prob=sup.extra_variant_prob)
    rng = substream(seed, "supplier_behaviour")
    n = len(companies)
    q = profile.quality
    is_late = _exactly(rng, n, sup.late_share)
    is_defective = _exactly(rng, n, sup.defective_share)
    defect_rate = np.where(is_defective, rng.uniform(q.defective_defect_rate_min, q.defective_defect_rate_max, n),
                           q.normal_defect_rate * rng.lognormal(0, 0.5, n))
    company_truth = companies_frame(companies)
    company_truth["is_chronically_late"] = is_late
    company_truth["is_chronically_defective"] = is_defective
    company_truth["defect_rate"] = np.round(defect_rate, 5)
    company_truth["price_premium"] = np.round(np.clip(rng.normal(0, sup.price_premium_sd, n), -0.12, 0.12), 4)
    company_truth["lead_time_factor"] = np.round(rng.lognormal(0, 0.2, n), 3)
    company_truth["slow_acknowledger"] = rng.random(n) < profile.procurement.ack_slow_share
    company_truth["activity"] = rng.lognormal(0, sup.activity_sigma, n)

    company_index = {c.company_id: i for i, c in enumerate(companies)}
    vendors = records.rename(columns={"record_id": "vendor_id"}).copy()
    ci = truth["company_id"].map(company_index).to_numpy()
    vendors["company"] = ci
    m = len(vendors)
    terms = np.asarray(profile.procurement.payment_terms_days)
    tw = np.asarray(profile.procurement.payment_terms_weights)
    vendors["payment_terms_days"] = terms[rng.choice(len(terms), m, p=tw / tw.sum())]
    vendors["status"] = "active"
    vendors["activity"] = company_truth["activity"].to_numpy()[ci] * rng.lognormal(0, 0.5, m)
    dup = truth.duplicated(["company_id"]).to_numpy() & vendors.duplicated(["business_unit_code"]).to_numpy()
    vendors.loc[dup, "activity"] *= 0.3
    onboard = rng.random(m) < 0.1
    vendors["created_at"] = np.floor(np.where(
        onboard, start + rng.uniform(0, 0.9 * window_days, m) * DAY, start - rng.uniform(30, 2500, m) * DAY))
    blocked = is_defective[ci] & (rng.random(m) < 0.35)
    vendors["_blocked_at"] = np.where(blocked, np.floor(start + rng.uniform(0.4, 1.1, m) * window_days * DAY), np.nan)
    vendors["_inactive_at"] = np.nan
    vendors["lat"] = [companies[i].foreign.lat if companies[i].foreign else companies[i].city.lat for i in ci]
    vendors["lon"] = [companies[i].foreign.lon if companies[i].foreign else companies[i].city.lon for i in ci]
    vendors["is_foreign"] = [companies[i].is_foreign for i in ci]
    vendors["origin_city"] = [companies[i].city_name for i in ci]

    bank_accounts = _bank_history(vendors, users, profile, rng, start, window_days)
    pairs, offers = _offers(profile, seed, vendors, company_truth, catalogue, fx, price_index, start)
    return SupplierBase(companies, company_truth, truth.rename(columns={"record_id": "vendor_id"}), vendors,
                        bank_accounts, pairs, offers)


def _exactly(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    """A mask with exactly round(share * n) companies (a documented share, not a coin flip)."""
    mask = np.zeros(n, dtype=bool)
    mask[rng.choice(n, size=round(share * n), replace=False)] = True
    return mask


def _new_account(rng: np.random.Generator, city: str) -> tuple[str, str]:
    bank = BANKS[int(rng.integers(0, len(BANKS)))]
    return f"{bank}{city.removesuffix('市')}分行", str(int(rng.integers(1, 10))) + "".join(
        str(d) for d in rng.integers(0, 10, 18))


def _bank_history(vendors: pd.DataFrame, users: pd.DataFrame, profile: Profile, rng: np.random.Generator,
                  start: float, window_days: int) -> pd.DataFrame:
    rows: list[dict] = []
    finance = users[users["role"] == "finance"].groupby("business_unit_code")["user_id"].agg(list).to_dict()
    for v in vendors.itertuples():
        if v.bank_account is None:
            continue
        rows.append({"vendor": v.Index, "vendor_id": v.vendor_id, "bank_name": v.bank_name,
                     "bank_account": v.bank_account, "changed_at": v.created_at, "changed_by": None})
        if rng.random() < profile.procurement.legit_bank_change_rate and not v.is_foreign:
            lo = max(v.created_at + 30 * DAY, start)
            day = np.floor((lo + rng.uniform(0, 1) * (start + window_days * DAY - lo)) / DAY)
            name, account = _new_account(rng, v.city or "")
            who = finance.get(v.business_unit_code, [None])
            rows.append({"vendor": v.Index, "vendor_id": v.vendor_id, "bank_name": name, "bank_account": account,
                         "changed_at": float(business_time(rng, np.array([day]))[0]),
                         "changed_by": who[int(rng.integers(0, len(who)))]})
    return pd.DataFrame(rows)


def finalize_bank_history(bank: pd.DataFrame) -> pd.DataFrame:
    """Sort, number and close the history: ``valid_to`` = the next change of the same vendor."""
    bank = bank.sort_values(["vendor", "changed_at"], kind="stable").reset_index(drop=True)
    nxt = bank.groupby("vendor")["changed_at"].shift(-1)
    bank["valid_to"] = nxt.to_numpy(dtype=float)
    bank.insert(0, "vendor_bank_account_id", [f"VBA-{i + 1:07d}" for i in range(len(bank))])
    bank["created_at"] = bank["changed_at"]
    return bank


def _offers(profile: Profile, seed: int, vendors: pd.DataFrame, company_truth: pd.DataFrame, catalogue: Catalogue,
            fx: FxTable, price_index: np.ndarray, start: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = substream(seed, "offers")
    mats = catalogue.materials
    mat_cat = mats["cat"].to_numpy()
    by_cat = {ci: np.flatnonzero(mat_cat == ci) for ci in range(len(CATEGORIES))}
    sector = company_truth["sector"].to_numpy()
    pv, pm = [], []
    for v in vendors.itertuples():
        cats = [ci for ci, c in enumerate(CATEGORIES)
                if sector[v.company] in c["sectors"] and v.business_unit_code in c["buyers"]]
        if not cats:
            cats = [ci for ci, c in enumerate(CATEGORIES) if v.business_unit_code in c["buyers"]]
        pool = np.concatenate([by_cat[ci] for ci in cats])
        k = int(np.clip(2 + rng.poisson(5), 1, len(pool)))
        chosen = np.sort(rng.choice(pool, size=k, replace=False))
        pv.extend([v.Index] * k)
        pm.extend(chosen.tolist())
    pairs = pd.DataFrame({"vendor": np.asarray(pv), "material": np.asarray(pm)})
    pairs["cat"] = mat_cat[pairs["material"]]
    cat_qty_lo = np.array([c["qty"][0] for c in CATEGORIES], dtype=float)
    cat_multiple = np.array([c["multiple"] for c in CATEGORIES], dtype=float)
    cat_lead = np.array([c["lead"] for c in CATEGORIES], dtype=float)
    cat_months = np.array([c["offer_months"] for c in CATEGORIES])
    p = len(pairs)
    cats = pairs["cat"].to_numpy()
    company = vendors["company"].to_numpy()[pairs["vendor"]]
    foreign = vendors["is_foreign"].to_numpy()[pairs["vendor"]]
    multiple = cat_multiple[cats] * np.where(rng.random(p) < 0.2, 2, 1)
    pairs["multiple"] = multiple
    pairs["moq"] = np.maximum(multiple, np.round(cat_qty_lo[cats] * rng.uniform(0.1, 0.5, p) / multiple) * multiple)
    lead = cat_lead[cats] * company_truth["lead_time_factor"].to_numpy()[company] * rng.lognormal(0, 0.1, p)
    pairs["lead_time_days"] = np.maximum(1, np.round(lead + np.where(foreign, rng.uniform(20, 35, p), 0))).astype(int)
    pairs["incoterm"] = np.where(foreign, np.where(rng.random(p) < 0.6, "CIF", "FOB"), "DAP")
    pairs["tier2_qty"] = pairs["moq"] * np.where(rng.random(p) < 0.7, 5, np.inf)
    pairs["tier3_qty"] = np.where(np.isfinite(pairs["tier2_qty"]) & (rng.random(p) < 0.5), pairs["moq"] * 20, np.inf)
    pairs["tier2_disc"] = np.round(rng.uniform(0.015, 0.04, p), 3)
    pairs["tier3_disc"] = np.round(pairs["tier2_disc"] + rng.uniform(0.02, 0.04, p), 3)
    pairs["noise"] = rng.normal(0, 0.02, p)
    pairs["months"] = cat_months[cats]
    total_months = profile.window.months + profile.window.offer_horizon_months
    pairs["n_periods"] = -(-total_months // pairs["months"])
    pairs["offset"] = np.concatenate([[0], np.cumsum(pairs["n_periods"].to_numpy())[:-1]])
    pairs["currency"] = vendors["currency"].to_numpy()[pairs["vendor"]]

    # one offer per pair and period
    row_pair = np.repeat(np.arange(p), pairs["n_periods"].to_numpy())
    k = np.arange(len(row_pair)) - pairs["offset"].to_numpy()[row_pair]
    start_month = int(np.datetime64(int(start), "s").astype("datetime64[M]").astype("int64"))
    month_rel = k * pairs["months"].to_numpy()[row_pair]
    valid_from = month_start_day(start_month + month_rel)
    valid_to = month_start_day(start_month + month_rel + pairs["months"].to_numpy()[row_pair]) - 1
    material = pairs["material"].to_numpy()[row_pair]
    currency = pairs["currency"].to_numpy()[row_pair]
    price_cny = (mats["standard_price"].to_numpy()[material] * price_index[cats[row_pair], month_rel]
                 * (1 + company_truth["price_premium"].to_numpy()[company[row_pair]])
                 * (1 + pairs["noise"].to_numpy()[row_pair]))
    price = price_cny / fx.rate(currency, valid_from.astype(float))
    decimals = np.where(np.isin(currency, ["JPY", "IDR"]), 0, 2)
    price = np.round(price * 10.0**decimals) / 10.0**decimals
    created = business_time(rng, (valid_from - rng.integers(5, 20, len(row_pair))).astype(float))
    offers = pd.DataFrame({
        "supplier_offer_id": [f"OF-{i + 1:07d}" for i in range(len(row_pair))],
        "vendor_id": vendors["vendor_id"].to_numpy()[pairs["vendor"].to_numpy()[row_pair]],
        "material_id": mats["material_id"].to_numpy()[material], "currency": currency,
        "valid_from": valid_from.astype(float), "valid_to": valid_to.astype(float),
        "moq": pairs["moq"].to_numpy()[row_pair], "order_multiple": pairs["multiple"].to_numpy()[row_pair],
        "base_price": price, "lead_time_days": pairs["lead_time_days"].to_numpy()[row_pair],
        "incoterm": pairs["incoterm"].to_numpy()[row_pair], "pair": row_pair,
        "created_at": created, "updated_at": created,
    })
    offers["price_tiers"] = _tiers(offers, pairs, decimals)
    return pairs, offers


def _tiers(offers: pd.DataFrame, pairs: pd.DataFrame, decimals: np.ndarray) -> list[list[dict]]:
    pair = offers["pair"].to_numpy()
    moq, base = offers["moq"].to_numpy(), offers["base_price"].to_numpy()
    scale = 10.0**decimals
    t2, t3 = pairs["tier2_qty"].to_numpy()[pair], pairs["tier3_qty"].to_numpy()[pair]
    p2 = np.round(base * (1 - pairs["tier2_disc"].to_numpy()[pair]) * scale) / scale
    p3 = np.round(base * (1 - pairs["tier3_disc"].to_numpy()[pair]) * scale) / scale
    out = []
    for m, b, q2, v2, q3, v3 in zip(moq.tolist(), base.tolist(), t2.tolist(), p2.tolist(), t3.tolist(),
                                    p3.tolist(), strict=True):
        tiers = [{"min_qty": m, "unit_price": b}]
        if q2 != float("inf"):
            tiers.append({"min_qty": q2, "unit_price": v2})
        if q3 != float("inf"):
            tiers.append({"min_qty": q3, "unit_price": v3})
        out.append(tiers)
    return out


def offer_price(suppliers: SupplierBase, pair: np.ndarray, seconds: np.ndarray, qty: np.ndarray,
                start_month: int) -> tuple[np.ndarray, np.ndarray]:
    """(offer row index, tier unit price) valid for ``pair`` at ``seconds`` for ``qty``, vectorised.

    After the last quoted period the last offer still applies.
    """
    from demo.prices import month_number

    pairs = suppliers.pairs
    months = pairs["months"].to_numpy()[pair]
    k = np.clip((month_number(seconds) - start_month) // months, 0, pairs["n_periods"].to_numpy()[pair] - 1)
    row = pairs["offset"].to_numpy()[pair] + k
    base = suppliers.offers["base_price"].to_numpy()[row]
    disc = np.where(qty >= pairs["tier3_qty"].to_numpy()[pair], pairs["tier3_disc"].to_numpy()[pair],
                    np.where(qty >= pairs["tier2_qty"].to_numpy()[pair], pairs["tier2_disc"].to_numpy()[pair], 0.0))
    currency = pairs["currency"].to_numpy()[pair]
    decimals = np.where(np.isin(currency, ["JPY", "IDR"]), 0, 2)
    return row, np.round(base * (1 - disc) * 10.0**decimals) / 10.0**decimals
