#!/usr/bin/env python3
"""Regenerates the bad-input corpus: each case is the valid template
tests/fixtures/scenario-mini with one flaw, and `expected` holds the exact
message scenario_load must report (paths relative to the repo root; {dir}
in a message stands for the case's directory). A case may add files of its
own, such as a misspelt one or a proposal in proposals/p/, which is then
laid over the (valid) template. FIFOs and devices cannot live in git:
tests/test_bad.c creates those cases at run time.
Run from the repo root: python3 tests/bad/generate.py"""
import os
import shutil

TEMPLATE = "tests/fixtures/scenario-mini"
FILES = ["scenario.csv", "nodes.csv", "legs.csv", "services.csv", "demand.csv",
         "disruptions.csv"]

NODE_COLS = "id, name, country, kind, servers, dwell_h, scan"
SERVERS = "servers: expected a whole number >= 1 and <= 10000, or empty for no limit"
KEYS = ("one of name, description, horizon_d, warmup_d, replications, seed, "
        "service_standard_d, confidence, start_date, currency, kind, runout_d, threshold.METRIC")


def sub(old, new):
    """An edit replacing one exact piece of text (which must occur once)."""
    def edit(text):
        assert text.count(old) == 1, (old, text)
        return text.replace(old, new)
    return edit


def append(line):
    return lambda text: text + line + "\n"


def whole(content):
    return lambda text: content


def copy_of(name):
    """A new file with the template's `name` as its content."""
    def edit(text):
        with open(os.path.join(TEMPLATE, name), newline="", encoding="utf-8") as f:
            return f.read()
    return edit


def semicolons(text):
    """The file as a spreadsheet in a decimal-comma locale saves it."""
    text = text.replace(",", ";")
    for a, b in [("8.5;0.4", "8,5;0,4"), ("12.25;0.5", "12,25;0,5"), ("96.5;0.15", "96,5;0,15"),
                 ("130.25;0.2", "130,25;0,2"), ("(2.5)", "(2,5)"), ("(3.75)", "(3,75)"),
                 ("(6.5)", "(6,5)")]:
        text = text.replace(a, b)
    return text


SERVICES_HEADER = "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h,cost_per_train\n"
DEMAND_HEADER = "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year\n"
PROPOSAL = "proposals/p/"
DESCRIPTION = {PROPOSAL + "description.txt": whole("One flaw in a proposal.\n")}


# name -> ({file: edit or None to delete}, expected message without the dir)
CASES = {
    "servers-negative": ({"nodes.csv": sub("BRS,Brest,BY,hub,3,", "BRS,Brest,BY,hub,-1,")},
                         'nodes.csv:4:5: ' + SERVERS + ', got "-1"'),
    "servers-zero": ({"nodes.csv": sub("border,2,", "border,0,")},
                     'nodes.csv:3:5: ' + SERVERS + ', got "0"'),
    "servers-fraction": ({"nodes.csv": sub("border,2,", "border,2.5,")},
                         'nodes.csv:3:5: ' + SERVERS + ', got "2.5"'),
    "servers-huge": ({"nodes.csv": sub("border,2,", "border,99999999999999999999999,")},
                     'nodes.csv:3:5: ' + SERVERS + ', got "99999999999999999999999"'),
    "kind-unknown": ({"nodes.csv": sub("BY,hub", "BY,port")},
                     'nodes.csv:4:4: kind: expected origin, border, hub or destination, got "port"'),
    "scan-yes": ({"nodes.csv": sub("fixed(3.75),0", "fixed(3.75),yes")},
                 'nodes.csv:5:7: scan: expected 0, 1 or empty, got "yes"'),
    "node-id-duplicate": ({"nodes.csv": append("BRS,Brest East,BY,hub,1,fixed(1.25),0")},
                          'nodes.csv:6:1: id: expected a unique id, got "BRS" again (first on line 4)'),
    "node-id-space": ({"nodes.csv": append("X Y,Nowhere,BY,hub,1,fixed(1.25),0")},
                      "nodes.csv:6:1: id: expected an id of at most 64 letters, digits, '_', '-' "
                      'or \'.\', got "X Y"'),
    "node-id-empty": ({"nodes.csv": append(",Nowhere,BY,hub,1,fixed(1.25),0")},
                      "nodes.csv:6:1: id: expected an id of at most 64 letters, digits, '_', '-' "
                      'or \'.\', got ""'),
    "dwell-wrong-arity": ({"nodes.csv": sub('"lognormal(8.5,0.4)"', '"lognormal(8.5)"')},
                          'nodes.csv:3:6: dwell_h: expected lognormal(mean,cv) with 2 numbers, '
                          'found 1, got "lognormal(8.5)"'),
    "dwell-unknown-kind": ({"nodes.csv": sub('"lognormal(8.5,0.4)"', '"normal(8.5,0.4)"')},
                           "nodes.csv:3:6: dwell_h: expected a distribution: fixed(x), "
                           "uniform(a,b), exponential(mean), lognormal(mean,cv), gamma(mean,cv), "
                           "triangular(min,mode,max) or weibull(scale,shape), "
                           'got "normal(8.5,0.4)"'),
    "dwell-negative": ({"nodes.csv": sub("fixed(2.5)", '"uniform(-2.5,4)"')},
                       'nodes.csv:2:6: dwell_h: expected uniform(a,b) with 0 <= a <= b, since '
                       'times and weights cannot be negative, got "uniform(-2.5,4)"'),
    "nodes-unknown-column": ({"nodes.csv": lambda t: t.replace(",scan\n", ",scan,gauge\n", 1)
                              .replace(",1\n", ",1,1520\n").replace(",0\n", ",0,1435\n")},
                             "nodes.csv:1:8: expected a column name among " + NODE_COLS +
                             ', got "gauge"'),
    "nodes-missing-column": ({"nodes.csv": whole("id,name,country,kind,servers,scan\n"
                                                 "CQ,Chongqing,CN,origin,,1\n"
                                                 "AKZ,Altynkol,KZ,border,2,1\n"
                                                 "BRS,Brest,BY,hub,3,1\n"
                                                 "WAW,Warsaw,PL,destination,,0\n")},
                             "nodes.csv:1: dwell_h: expected a column of that name in the "
                             "header, got none"),
    "nodes-duplicate-column": ({"nodes.csv": sub("id,name,country,kind,servers,dwell_h,scan",
                                                 "id,name,kind,kind,servers,dwell_h,scan")},
                               "nodes.csv:1:4: kind: expected each column once, got it again"),
    "nodes-empty": ({"nodes.csv": whole("")},
                    "nodes.csv: expected a header row (" + NODE_COLS + "), got an empty file"),
    "nodes-only-comments": ({"nodes.csv": whole("# nodes go here\n\n# none yet\n")},
                            "nodes.csv: expected a header row (" + NODE_COLS +
                            "), got an empty file"),
    "nodes-missing-file": ({"nodes.csv": None},
                           "nodes.csv: expected a file with columns " + NODE_COLS +
                           ", got no such file"),
    "nodes-short-row": ({"nodes.csv": sub("CQ,Chongqing,CN,origin,,fixed(2.5),1",
                                          "CQ,Chongqing,CN,origin,fixed(2.5),1")},
                        "nodes.csv:2: expected 7 fields as in the header, got 6"),
    "quote-unterminated": ({"nodes.csv": sub("WAW,Warsaw,", 'WAW,"Warsaw,')},
                           "nodes.csv:5:2: expected a closing '\"' for the quoted field that "
                           "starts here, got the end of the file"),
    "quote-stray": ({"nodes.csv": sub("BRS,Brest,", 'BRS,Br"est,')},
                    "nodes.csv:4:2: name: expected '\"' only in a field quoted as a whole "
                    "(with '\"' doubled), got '\"'"),
    "quote-then-text": ({"nodes.csv": sub("BRS,Brest,", 'BRS,"Brest"x,')},
                        "nodes.csv:4:2: name: expected ',' or a line end after a closing '\"', "
                        "got 'x'"),
    "nul-byte": ({"nodes.csv": sub("BRS,Brest,", "BRS,Bre\0st,")},
                 "nodes.csv:4: expected text, got a NUL byte"),
    "bom-crlf-position": ({"nodes.csv": lambda t: "\ufeff" + t.replace("BY,hub", "BY,hbu")
                           .replace("\n", "\r\n")},
                          'nodes.csv:4:4: kind: expected origin, border, hub or destination, '
                          'got "hbu"'),
    "multiline-position": ({"nodes.csv": lambda t: t.replace(
        "AKZ,Altynkol,", 'AKZ,"Altynkol\n(Khorgos\nEastern Gate)",').replace(
        "BRS,Brest,BY,hub,3,", "BRS,Brest,BY,hub,three,")},
        'nodes.csv:6:5: ' + SERVERS + ', got "three"'),
    "comments-position": ({"nodes.csv": lambda t: t.replace(
        "BRS,", "# Brest: gauge change 1520 -> 1435, \"the\" bottleneck\n\n  # two lines\nBRS,")
        .replace("BY,hub,3,", "BY,hub, -3 ,")},
        'nodes.csv:7:5: ' + SERVERS + ', got "-3"'),
    "leg-unknown-node": ({"legs.csv": append("BRS,XX,50,fixed(1)")},
                         'legs.csv:5:2: to: expected a node id from nodes.csv, got "XX"'),
    "leg-to-itself": ({"legs.csv": append("BRS,BRS,0,fixed(1)")},
                      'legs.csv:5:2: to: expected a node other than from, got "BRS"'),
    "leg-km-negative": ({"legs.csv": sub("BRS,WAW,210,", "BRS,WAW,-210,")},
                        'legs.csv:4:3: km: expected a number >= 0, got "-210"'),
    "leg-km-decimal-comma": ({"legs.csv": sub("BRS,WAW,210,", 'BRS,WAW,"210,5",')},
                             'legs.csv:4:3: km: expected a number >= 0, got "210,5"'),
    "leg-duplicate": ({"legs.csv": append('CQ,AKZ,3850,"lognormal(90,0.1)"')},
                      'legs.csv:5:2: to: expected one row per from and to, got "AKZ" again '
                      "(first on line 2)"),
    "leg-time-text": ({"legs.csv": sub("fixed(6.5)", "fast")},
                      "legs.csv:4:4: time_h: expected a distribution: fixed(x), uniform(a,b), "
                      "exponential(mean), lognormal(mean,cv), gamma(mean,cv), "
                      "triangular(min,mode,max) or weibull(scale,shape), got \"fast\""),
    "route-no-leg": ({"services.csv": sub("CQ-BRS,CQ>AKZ>BRS,", "CQ-BRS,CQ>BRS,")},
                     "services.csv:2:2: route: expected a leg in legs.csv for every hop, "
                     "got none for CQ>BRS"),
    "route-repeats-node": ({"services.csv": sub("CQ-BRS,CQ>AKZ>BRS,", "CQ-BRS,CQ>AKZ>CQ,")},
                           'services.csv:2:2: route: expected each node once, got "CQ" twice '
                           'in "CQ>AKZ>CQ"'),
    "route-unknown-node": ({"services.csv": sub("BRS-WAW,BRS>WAW,", "BRS-WAW,BRS>WRO,")},
                           'services.csv:3:2: route: expected node ids from nodes.csv, got "WRO" '
                           'in "BRS>WRO"'),
    "route-one-stop": ({"services.csv": sub("BRS-WAW,BRS>WAW,", "BRS-WAW,BRS,")},
                       "services.csv:3:2: route: expected at least two node ids joined by '>', "
                       'got "BRS"'),
    "route-empty-stop": ({"services.csv": sub("CQ-BRS,CQ>AKZ>BRS,", "CQ-BRS,CQ>>BRS,")},
                         "services.csv:2:2: route: expected at least two node ids joined by "
                         "'>', got \"CQ>>BRS\""),
    "departures-too-many": ({"services.csv": sub("FRT-BRS,AKZ>BRS,14,", "FRT-BRS,AKZ>BRS,10081,")},
                            "services.csv:4:3: departures_per_week: expected a number > 0 and "
                            '<= 10080 (one a minute), got "10081"'),
    "departures-zero": ({"services.csv": sub("BRS-WAW,BRS>WAW,7,", "BRS-WAW,BRS>WAW,0,")},
                        "services.csv:3:3: departures_per_week: expected a number > 0 and "
                        '<= 10080 (one a minute), got "0"'),
    "capacity-negative": ({"services.csv": sub(",41.5,", ",-41.5,")},
                          'services.csv:2:5: capacity_t: expected a number >= 0, got "-41.5"'),
    "cutoff-with-unit": ({"services.csv": sub(",41.5,6,", ",41.5,6h,")},
                         'services.csv:2:6: cutoff_h: expected a number >= 0, got "6h"'),
    "first-departure-hex": ({"services.csv": sub("BRS>WAW,7,8,", "BRS>WAW,7,0x8,")},
                            'services.csv:3:4: first_departure_h: expected a number >= 0, '
                            'got "0x8"'),
    "cost-negative": ({"services.csv": sub(",125000", ",-125000")},
                      'services.csv:2:7: cost_per_train: expected a number >= 0 or empty, '
                      'got "-125000"'),
    "service-id-duplicate": ({"services.csv": append("BRS-WAW,BRS>WAW,3,20,20,2,")},
                             'services.csv:5:1: id: expected a unique id, got "BRS-WAW" again '
                             "(first on line 3)"),
    "services-unknown-column": ({"services.csv": sub(",cost_per_train", ",cost_per_tonne")},
                                "services.csv:1:7: expected a column name among id, route, "
                                "departures_per_week, first_departure_h, capacity_t, cutoff_h, "
                                'cost_per_train, start_d, end_d, growth_pct_per_year, '
                                'weekdays, departure_h, cost_per_t, slot_t, cost_per_slot, '
                                'slots_booked, cost_per_extra_slot, got "cost_per_tonne"'),
    "cost-text": ({"services.csv": sub(",125000", ",125k")},
                  'services.csv:2:7: cost_per_train: expected a number >= 0 or empty, got "125k"'),
    "cost-per-t-negative": ({"services.csv": whole(
        SERVICES_HEADER.replace("\n", ",cost_per_t\n") +
        "CQ-BRS,CQ>AKZ>BRS,3,10.5,41.5,6,,-7.25\nBRS-WAW,BRS>WAW,7,8,20,2,,\nFRT-BRS,AKZ>BRS,14,0,0,0,,\n")},
        'services.csv:2:8: cost_per_t: expected a number >= 0 or empty, got "-7.25"'),
    "slots-booked-without-slot-t": ({"services.csv": whole(
        SERVICES_HEADER.replace("\n", ",slots_booked,cost_per_slot\n") +
        "CQ-BRS,CQ>AKZ>BRS,3,10.5,41.5,6,,2,6500\nBRS-WAW,BRS>WAW,7,8,20,2,,,\n"
        "FRT-BRS,AKZ>BRS,14,0,0,0,,,\n")},
        'services.csv:2:8: slots_booked: expected slot_t (the tonnes of a slot) on the same row, '
        'got "2" without it'),
    "slot-t-zero": ({"services.csv": whole(
        SERVICES_HEADER.replace("\n", ",slot_t,cost_per_slot\n") +
        "CQ-BRS,CQ>AKZ>BRS,3,10.5,41.5,6,,0,6500\nBRS-WAW,BRS>WAW,7,8,20,2,,,\n"
        "FRT-BRS,AKZ>BRS,14,0,0,0,,,\n")},
        'services.csv:2:8: slot_t: expected a number of tonnes > 0 or empty, got "0"'),
    "leg-mode-unknown": ({"legs.csv": lambda t: t.replace("from,to,km,time_h\n", "from,to,km,time_h,mode\n")
                          .replace('"lognormal(96.5,0.15)"', '"lognormal(96.5,0.15)",rail_electric')
                          .replace('"lognormal(130.25,0.2)"', '"lognormal(130.25,0.2)",maglev')
                          .replace("fixed(6.5)", "fixed(6.5),truck")},
                         'legs.csv:3:5: mode: expected rail_electric, rail_diesel, rail, truck, air, sea '
                         'or empty, got "maglev"'),
    "leg-co2-negative": ({"legs.csv": lambda t: t.replace("from,to,km,time_h\n",
                                                          "from,to,km,time_h,co2_g_per_tkm\n")
                          .replace('"lognormal(96.5,0.15)"', '"lognormal(96.5,0.15)",-18')
                          .replace('"lognormal(130.25,0.2)"', '"lognormal(130.25,0.2)",')
                          .replace("fixed(6.5)", "fixed(6.5),")},
                         'legs.csv:2:5: co2_g_per_tkm: expected a number >= 0 or empty, got "-18"'),
    "currency-lower-case": ({"scenario.csv": append("currency,usd")},
                            'scenario.csv:10:2: currency: expected a currency code of three capital '
                            'letters such as USD or EUR, got "usd"'),
    "scenario-kind-unknown": ({"scenario.csv": append("kind,Forecast")},
                              'scenario.csv:10:2: kind: expected decision or forecast, got "Forecast"'),
    "demand-same-node": ({"demand.csv": sub("CQ,BRS,", "BRS,BRS,")},
                         'demand.csv:3:2: destination: expected a node other than the origin, '
                         'got "BRS"'),
    "demand-unreachable": ({"demand.csv": append("WAW,CQ,1.5,fixed(12),0")},
                           "demand.csv:4:2: destination: expected a destination that services "
                           "with capacity_t > 0 reach from WAW (directly or with transfers), "
                           'got "CQ"'),
    "demand-freight-only": ({"services.csv": sub("BRS-WAW,BRS>WAW,7,8,20,", "BRS-WAW,BRS>WAW,7,8,0,")},
                            "demand.csv:2:2: destination: expected a destination that services "
                            "with capacity_t > 0 reach from CQ (directly or with transfers), "
                            'got "WAW"'),
    "demand-duplicate": ({"demand.csv": append("CQ,WAW,1.5,fixed(12),0")},
                         'demand.csv:4:2: destination: expected one row per origin and '
                         'destination, got "WAW" again (first on line 2)'),
    "demand-zero-batches": ({"demand.csv": sub("CQ,BRS,2.25,", "CQ,BRS,0,")},
                            'demand.csv:3:3: batches_per_day: expected a number > 0 and '
                            '<= 1000000, got "0"'),
    "demand-growth-minus-100": ({"demand.csv": sub(",8.5\n", ",-100\n")},
                                "demand.csv:2:5: growth_pct_per_year: expected a number > -100 "
                                'and <= 1000, or empty for 0, got "-100"'),
    "demand-unknown-origin": ({"demand.csv": append("XIAN,WAW,1.5,fixed(12),0")},
                              'demand.csv:4:1: origin: expected a node id from nodes.csv, '
                              'got "XIAN"'),
    "demand-kg-bad": ({"demand.csv": sub("fixed(18)", "fixed(-18)")},
                      'demand.csv:3:4: kg_per_batch: expected fixed(x) with x >= 0, since times '
                      'and weights cannot be negative, got "fixed(-18)"'),
    "disruption-unknown-target": ({"disruptions.csv": sub("BRS,40,", "BREST,40,")},
                                  'disruptions.csv:2:1: target: expected a node id or a service '
                                  'id, got "BREST"; did you mean BRS?'),
    "demand-unknown-node-suggestion": ({"demand.csv": append("CQ,BRST,1.5,fixed(12),0")},
                                       'demand.csv:4:2: destination: expected a node id from '
                                       'nodes.csv, got "BRST"; did you mean BRS?'),
    "dwell-hex": ({"nodes.csv": sub("fixed(2.5)", "fixed(0x10)")},
                  'nodes.csv:2:6: dwell_h: expected a finite number for x in fixed(x), found '
                  '"0x10", got "fixed(0x10)"'),
    "file-misspelt": ({"service.csv": copy_of("services.csv")},
                      "service.csv: unknown scenario file; did you mean services.csv?"),
    "file-unknown-csv": ({"trains.csv": whole("id\n")},
                         "trains.csv: unknown scenario file; expected scenario.csv, nodes.csv, "
                         "legs.csv, services.csv, demand.csv, disruptions.csv or "
                         "seasonality.csv"),
    "semicolon-position": ({"nodes.csv": lambda t: "\ufeffsep=;\r\n" + semicolons(t).replace(
        "Altynkol", '"Altynkol,\nKhorgos"').replace("BY;hub;3;", "BY;hub;-3;").replace(
        "\n", "\r\n")},
        'nodes.csv:6:5: ' + SERVERS + ', got "-3"'),
    "semicolon-decimal-point": ({"legs.csv": lambda t: semicolons(t).replace(
        "BRS;WAW;210;", "BRS;WAW;210.5;")},
        "legs.csv:4:3: km: expected a number >= 0, got \"210.5\" (a file separated by ';' "
        "takes a decimal comma)"),
    "proposal-file-misspelt": ({**DESCRIPTION, PROPOSAL + "service.csv": copy_of("services.csv")},
                               PROPOSAL + "service.csv: unknown scenario file; did you mean "
                               "services.csv?"),
    "proposal-cuts-demand-off": ({**DESCRIPTION, PROPOSAL + "services.csv": whole(
        SERVICES_HEADER + "BRS-WAW,BRS>WAW,7,8,0,2,\n")},
        PROPOSAL + "services.csv:2:5: capacity_t: expected a value that still lets services "
        "with capacity_t > 0 carry mail from CQ to WAW (directly or with transfers), as "
        '{dir}/demand.csv:2 asks, got "0"'),
    "proposal-horizon-below-warmup": ({**DESCRIPTION, PROPOSAL + "scenario.csv": whole(
        "key,value\nhorizon_d,10.5\n")},
        PROPOSAL + 'scenario.csv:2:2: horizon_d: expected a number > warmup_d (14), got "10.5"'),
    "proposal-node-id-is-a-target": ({**DESCRIPTION, PROPOSAL + "nodes.csv": whole(
        "id,name,country,kind,servers,dwell_h,scan\n"
        "CQ-BRS,Chongqing yard,CN,hub,2,fixed(1.5),0\n")},
        PROPOSAL + "nodes.csv:2:1: id: expected an id that is not also a service id, as "
        '{dir}/disruptions.csv:3:1 targets it, got "CQ-BRS"'),
    "proposal-unknown-node": ({**DESCRIPTION, PROPOSAL + "legs.csv": whole(
        "from,to,km,time_h\nBRS,WAWA,210,fixed(6.5)\n")},
        PROPOSAL + 'legs.csv:2:2: to: expected a node id from nodes.csv, got "WAWA"; '
        "did you mean WAW?"),
    "proposal-pattern-matches-nothing": ({**DESCRIPTION, PROPOSAL + "demand.csv": whole(
        DEMAND_HEADER + "XX*,*,*1.3,,\n")},
        PROPOSAL + 'demand.csv:2:1: origin: expected a pattern that matches at least one row, '
        'got "XX*", which matches none'),
    "proposal-pattern-bad-factor": ({**DESCRIPTION, PROPOSAL + "demand.csv": whole(
        DEMAND_HEADER + "CQ,*,*lots,,\n")},
        PROPOSAL + 'demand.csv:2:3: batches_per_day: expected a factor such as *1.3, a value '
        'or empty, got "*lots"'),
    "disruption-repeat-below-duration": ({"disruptions.csv": whole(
        "target,start_d,duration_d,capacity_factor,repeat_d\nBRS,40,3.5,0.5,2\n")},
        'disruptions.csv:2:5: repeat_d: expected a number >= duration_d (3.5) and <= 36500, '
        'or empty for once, got "2"'),
    "disruption-repeat-text": ({"disruptions.csv": whole(
        "target,start_d,duration_d,capacity_factor,repeat_d\nBRS,40,3.5,0.5,yearly\n")},
        'disruptions.csv:2:5: repeat_d: expected a number >= duration_d (3.5) and <= 36500, '
        'or empty for once, got "yearly"'),
    "service-end-before-start": ({"services.csv": whole(
        SERVICES_HEADER.strip() + ",start_d,end_d\n"
        "CQ-BRS,CQ>AKZ>BRS,3,10.5,41.5,6,125000,50,40\nBRS-WAW,BRS>WAW,7,8,20,2,,,\n"
        "FRT-BRS,AKZ>BRS,14,0,0,0,,,\n")},
        'services.csv:2:9: end_d: expected a number > start_d (50) and <= 36500, or empty, '
        'got "40"'),
    "service-growth-minus-100": ({"services.csv": whole(
        SERVICES_HEADER.strip() + ",growth_pct_per_year\n"
        "CQ-BRS,CQ>AKZ>BRS,3,10.5,41.5,6,125000,\nBRS-WAW,BRS>WAW,7,8,20,2,,\n"
        "FRT-BRS,AKZ>BRS,14,0,0,0,,-100\n")},
        'services.csv:4:8: growth_pct_per_year: expected a number > -100 and <= 1000, or '
        'empty for 0, got "-100"'),
    "seasonality-bad-month": ({"seasonality.csv": whole(
        "origin,month,factor\n*,11,1.5\nCQ,13,2\n")},
        'seasonality.csv:3:2: month: expected a month 1 to 12 or its name (Jan, February), '
        'got "13"'),
    "seasonality-month-name": ({"seasonality.csv": whole(
        "origin,month,factor\n*,Nov,1.5\nCQ,Movember,2\n")},
        'seasonality.csv:3:2: month: expected a month 1 to 12 or its name (Jan, February), '
        'got "Movember"'),
    "seasonality-unknown-origin": ({"seasonality.csv": whole(
        "origin,month,factor\nCQQ,2,0.6\n")},
        'seasonality.csv:2:1: origin: expected a node id from nodes.csv or *, got "CQQ"; '
        'did you mean CQ?'),
    "seasonality-negative-factor": ({"seasonality.csv": whole(
        "origin,month,factor\n*,2,-0.6\n")},
        'seasonality.csv:2:3: factor: expected a number >= 0 and <= 100, got "-0.6"'),
    "seasonality-duplicate": ({"seasonality.csv": whole(
        "origin,month,factor\n*,2,0.6\n*,2,0.7\n")},
        'seasonality.csv:3:2: month: expected one row per origin and month, got "2" again '
        '(first on line 2)'),
    "timetable-forms-mixed": ({"services.csv": whole(
        SERVICES_HEADER.strip() + ",weekdays,departure_h\n"
        "CQ-BRS,CQ>AKZ>BRS,3,,41.5,6,125000,Tue;Fri,18\nBRS-WAW,BRS>WAW,7,8,20,2,,,\n"
        "FRT-BRS,AKZ>BRS,14,0,0,0,,,\n")},
        'services.csv:2:3: departures_per_week: expected empty in a row that gives weekdays '
        'and departure_h (one timetable form a row), got "3"'),
    "timetable-weekday-unknown": ({"services.csv": whole(
        SERVICES_HEADER.strip() + ",weekdays,departure_h\n"
        "CQ-BRS,CQ>AKZ>BRS,,,41.5,6,125000,Tue;Fry,18\nBRS-WAW,BRS>WAW,7,8,20,2,,,\n"
        "FRT-BRS,AKZ>BRS,14,0,0,0,,,\n")},
        "services.csv:2:8: weekdays: expected day names once each separated by ';', e.g. "
        'Tue;Fri, got "Tue;Fry"'),
    "timetable-weekday-twice": ({"services.csv": whole(
        SERVICES_HEADER.strip() + ",weekdays,departure_h\n"
        "CQ-BRS,CQ>AKZ>BRS,,,41.5,6,125000,Tue;tuesday,18\nBRS-WAW,BRS>WAW,7,8,20,2,,,\n"
        "FRT-BRS,AKZ>BRS,14,0,0,0,,,\n")},
        "services.csv:2:8: weekdays: expected day names once each separated by ';', e.g. "
        'Tue;Fri, got "Tue;tuesday"'),
    "timetable-hour-24": ({"services.csv": whole(
        SERVICES_HEADER.strip() + ",weekdays,departure_h\n"
        "CQ-BRS,CQ>AKZ>BRS,,,41.5,6,125000,Tue,24\nBRS-WAW,BRS>WAW,7,8,20,2,,,\n"
        "FRT-BRS,AKZ>BRS,14,0,0,0,,,\n")},
        'services.csv:2:9: departure_h: expected an hour of the day >= 0 and < 24, got "24"'),
    "timetable-none": ({"services.csv": whole(
        "id,route,capacity_t,cutoff_h\nCQ-BRS,CQ>AKZ>BRS,41.5,6\nBRS-WAW,BRS>WAW,20,2\n"
        "FRT-BRS,AKZ>BRS,0,0\n")},
        "services.csv:2: expected departures_per_week and first_departure_h, or weekdays "
        "and departure_h, got neither"),
    "disruption-zero-duration": ({"disruptions.csv": sub(",3.5,", ",0,")},
                                 'disruptions.csv:2:3: duration_d: expected a number > 0 and '
                                 '<= 36500, got "0"'),
    "disruption-negative-factor": ({"disruptions.csv": sub(",3.5,0.5", ",3.5,-0.5")},
                                   'disruptions.csv:2:4: capacity_factor: expected a number >= 0 '
                                   'and <= 100, got "-0.5"'),
    "disruption-factor-huge": ({"disruptions.csv": sub(",3.5,0.5", ",3.5,1000")},
                               'disruptions.csv:2:4: capacity_factor: expected a number >= 0 '
                               'and <= 100, got "1000"'),
    "disruption-duplicate": ({"disruptions.csv": append("BRS,40.0,2,0")},
                             'disruptions.csv:4:2: start_d: expected one row per target and '
                             'start_d, got "40.0" again (first on line 2)'),
    "scenario-unknown-key": ({"scenario.csv": append("horizon,400")},
                             'scenario.csv:10:1: key: expected ' + KEYS + ', got "horizon"'),
    "scenario-duplicate-key": ({"scenario.csv": append("seed,7")},
                               'scenario.csv:10:1: key: expected each key once, got "seed" again '
                               "(first on line 7)"),
    "warmup-not-below-horizon": ({"scenario.csv": sub("warmup_d,14", "warmup_d,120.5")},
                                 'scenario.csv:5:2: warmup_d: expected a number < horizon_d '
                                 '(120.5), got "120.5"'),
    "horizon-huge": ({"scenario.csv": sub("horizon_d,120.5", "horizon_d,36501")},
                     'scenario.csv:4:2: horizon_d: expected a number > 0 and <= 36500, '
                     'got "36501"'),
    "horizon-overflow": ({"scenario.csv": sub("horizon_d,120.5", "horizon_d,1e999")},
                         'scenario.csv:4:2: horizon_d: expected a number > 0 and <= 36500, '
                         'got "1e999"'),
    "horizon-nan": ({"scenario.csv": sub("horizon_d,120.5", "horizon_d,nan")},
                    'scenario.csv:4:2: horizon_d: expected a number > 0 and <= 36500, '
                    'got "nan"'),
    "replications-huge": ({"scenario.csv": sub("replications,3", "replications,10001")},
                          'scenario.csv:6:2: replications: expected a whole number from 1 to '
                          '10000, got "10001"'),
    "replications-zero": ({"scenario.csv": sub("replications,3", "replications,0")},
                          'scenario.csv:6:2: replications: expected a whole number from 1 to '
                          '10000, got "0"'),
    "seed-overflow": ({"scenario.csv": sub("seed,42", "seed,18446744073709551616")},
                      'scenario.csv:7:2: seed: expected a whole number from 0 to '
                      '18446744073709551615, got "18446744073709551616"'),
    "runout-negative": ({"scenario.csv": append("runout_d,-3.5")},
                        'scenario.csv:10:2: runout_d: expected a number >= 0 and <= 36500, '
                        'got "-3.5"'),
    "runout-infinite": ({"scenario.csv": append("runout_d,inf")},
                        'scenario.csv:10:2: runout_d: expected a number >= 0 and <= 36500, '
                        'got "inf"'),
    "confidence-one": ({"scenario.csv": sub("confidence,0.9", "confidence,1")},
                       'scenario.csv:9:2: confidence: expected a number > 0 and < 1, got "1"'),
    "start-date-impossible": ({"scenario.csv": append("start_date,2023-02-29")},
                              'scenario.csv:10:2: start_date: expected a day of that month '
                              '(2023-02 has 28 days), got "2023-02-29"'),
    "start-date-not-iso": ({"scenario.csv": append("start_date,01/04/2021")},
                           'scenario.csv:10:2: start_date: expected a date YYYY-MM-DD from '
                           '1900-01-01 to 2999-12-31, got "01/04/2021"'),
    "service-standard-zero": ({"scenario.csv": sub("service_standard_d,18", "service_standard_d,0")},
                              'scenario.csv:8:2: service_standard_d: expected a number > 0 and '
                              '<= 36500, got "0"'),
    "scenario-missing-file": ({"scenario.csv": None},
                              "scenario.csv: expected a file with columns key, value, got no "
                              "such file"),
    "name-with-slash": ({"scenario.csv": sub("name,mini", "name,../mini")},
                        "scenario.csv:2:2: name: expected a name without '/', '\\' or control "
                        'characters that is not "." or "..", got "../mini"'),
    "scenario-extra-field": ({"scenario.csv": sub("seed,42", "seed,42,43")},
                             "scenario.csv:7: expected 2 fields as in the header, got 3"),
}


def main():
    with open(os.path.join(TEMPLATE, FILES[0]), newline="") as f:
        assert f.read()  # run from the repo root
    for name, (edits, expected) in sorted(CASES.items()):
        d = os.path.join("tests/bad", name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for fn in FILES:
            with open(os.path.join(TEMPLATE, fn), newline="", encoding="utf-8") as f:
                text = f.read()
            if fn in edits:
                if edits[fn] is None:
                    continue
                text = edits[fn](text)
            with open(os.path.join(d, fn), "w", newline="", encoding="utf-8") as f:
                f.write(text)
        for fn, edit in edits.items():
            if fn in FILES:
                continue
            path = os.path.join(d, fn)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", newline="", encoding="utf-8") as f:
                f.write(edit(""))
        with open(os.path.join(d, "expected"), "w") as f:
            f.write(d + "/" + expected.replace("{dir}", d) + "\n")
    print(len(CASES), "cases")


if __name__ == "__main__":
    main()
