#!/bin/sh
# Writes tests/bench/large/: 20 origins x 30 destinations, 20,000 batches a
# day, one year, through two borders and a hub (run again after changing it).
set -eu
dir=$(dirname "$0")/large
mkdir -p "$dir"
cat > "$dir/scenario.csv" <<CSV
key,value
name,bench-large
description,"benchmark: 20 origins x 30 destinations, 20000 batches a day, one year"
horizon_d,365
warmup_d,28
replications,1
seed,1
service_standard_d,20
confidence,0.95
CSV
{
  echo "id,name,country,kind,servers,dwell_h,scan"
  for i in $(seq -w 1 20); do echo "O$i,Origin $i,CN,origin,,fixed(0),0"; done
  echo 'AKZ,Border east,KZ,border,6,"lognormal(6,0.5)",1'
  echo 'BRS,Border west,BY,border,8,"lognormal(8.5,0.4)",1'
  echo 'MAL,Hub,PL,hub,,"gamma(4,0.3)",1'
  for j in $(seq -w 1 30); do echo "D$j,Destination $j,EU,destination,,\"uniform(1,3)\",0"; done
} > "$dir/nodes.csv"
{
  echo "from,to,km,time_h"
  for i in $(seq -w 1 20); do echo "O$i,AKZ,3500,\"triangular(70,80,95)\""; done
  echo 'AKZ,BRS,4700,"lognormal(115,0.15)"'
  echo 'BRS,MAL,10,"fixed(1.5)"'
  for j in $(seq -w 1 30); do echo "MAL,D$j,1000,\"lognormal(24,0.3)\""; done
} > "$dir/legs.csv"
{
  echo "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h"
  for i in $(seq -w 1 20); do echo "M$i,O$i>AKZ>BRS>MAL,7,$(expr $i + 0),25,12"; done
  for j in $(seq -w 1 30); do echo "T$j,MAL>D$j,14,$(expr $j % 12),12,2"; done
} > "$dir/services.csv"
{
  echo "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year"
  for i in $(seq -w 1 20); do for j in $(seq -w 1 30); do
    echo "O$i,D$j,33.3333,\"lognormal(12,0.5)\",0"
  done; done
} > "$dir/demand.csv"
