"""Writes the README's real-table walkthrough files (standard library only, fixed seed):

churn.csv          400 customers: an id column, two categorical columns (plan, region), numbers
                   with missing cells (NA, ?, empty) and a string label (stay / leave).
new_customers.csv  8 new customers without the label, columns in another order, one plan the
                   training file never shows ("enterprise") and missing cells.

usage: python3 examples/tables/make_tables.py [DIR]   (default: examples/tables)"""
import os
import random
import sys

PLANS = {"basic": 1.0, "plus": 0.0, "pro": -1.0}
REGIONS = ["east", "north", "south", "west"]


def customer(rng, i):
    plan = rng.choice(sorted(PLANS))
    region = rng.choice(REGIONS)
    tenure = rng.randint(1, 72)
    calls = rng.randint(0, 6)
    fee = {"basic": 20.0, "plus": 45.0, "pro": 80.0}[plan] + rng.uniform(-5, 5)
    score = 0.8 * calls - 0.05 * tenure + PLANS[plan] + rng.gauss(0, 0.6)
    return {"customer_id": "C%04d" % (1000 + i), "plan": plan, "region": region,
            "monthly_fee": "%.2f" % fee, "support_calls": str(calls),
            "tenure_months": str(tenure), "churn": "leave" if score > 1.0 else "stay"}


def write(path, columns, rows):
    with open(path, "w") as f:
        f.write(",".join(columns) + "\n")
        for row in rows:
            f.write(",".join(row[c] for c in columns) + "\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(13)
    rows = [customer(rng, i) for i in range(400)]
    for i, row in enumerate(rows):  # missing cells, as exports write them
        if i % 17 == 3:
            row["monthly_fee"] = ["NA", "", "?"][i % 3]
        if i % 29 == 5:
            row["support_calls"] = "NA"
        if i % 41 == 7:
            row["region"] = ""
    write(os.path.join(out, "churn.csv"),
          ["customer_id", "plan", "region", "monthly_fee", "support_calls", "tenure_months",
           "churn"], rows)
    new = [customer(rng, 400 + i) for i in range(8)]
    new[2]["plan"] = "enterprise"
    new[5]["monthly_fee"] = "NA"
    new[6]["support_calls"] = ""
    write(os.path.join(out, "new_customers.csv"),
          ["tenure_months", "region", "customer_id", "plan", "support_calls", "monthly_fee"], new)


main()
