#ifndef RAILMAIL_METRICSHIM_H
#define RAILMAIL_METRICSHIM_H
/* metricshim: the one place where the results module, the charts and the
 * page reach the metric catalogue, which model.h holds until the metric
 * module takes it over. Then this file goes, and its callers include that
 * module's header and call it by its own names. */
#include <stdbool.h>
#include <stddef.h>
#include "railmail/model.h"

/* The catalogue in record order; NULL past the end. */
static inline size_t metricshim_count(void)
{
    return model_metric_count();
}

static inline const struct model_metric *metricshim_at(size_t i)
{
    return model_metric(i);
}

/* NULL when no metric has that name. */
static inline const struct model_metric *metricshim_find(const char *name)
{
    return model_metric_find(name);
}

/* Headline metrics: those compare and sweep draw (a panel, a chart each),
 * and those their tables show. */
static inline bool metricshim_in_charts(const struct model_metric *mt)
{
    return mt->headline & MODEL_HEADLINE_CHART;
}

static inline bool metricshim_in_tables(const struct model_metric *mt)
{
    return mt->headline & MODEL_HEADLINE_TABLE;
}

/* The unit as printed, a cost's with the scenario's currency. */
static inline const char *metricshim_unit(const struct model_metric *mt, const char *currency, char *buf, size_t size)
{
    return model_metric_unit(mt, currency, buf, size);
}
#endif /* RAILMAIL_METRICSHIM_H */
