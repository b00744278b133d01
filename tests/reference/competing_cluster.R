# Reference values for the cluster-robust (infinitesimal-jackknife) variance of
# Aalen-Johansen cumulative incidence: R survival's per-person influence
# (survfit(..., influence = TRUE)$influence.pstate) summed within clusters, then squared
# and summed. (survfit 3.5.3 itself ignores `cluster` for multi-state curves, so the
# clustered standard error is formed here from its influence values.)
#
# Run from the repository root:   Rscript tests/reference/competing_cluster.R
# Reads tests/reference/competing_data.csv (written by competing_risks.R); clusters are
# consecutive triples of rows, cluster = (row - 1) %/% 3.
# Writes tests/reference/competing_cluster.json (digits = NA).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

competing <- read.csv("tests/reference/competing_data.csv")
competing$cl <- (seq_len(nrow(competing)) - 1) %/% 3
competing$rid <- seq_len(nrow(competing))
times <- c(6, 12, 24)

clustered <- function(weighted) {
  fit <- if (weighted) {
    survfit(Surv(time, factor(status)) ~ group, data = competing, id = rid,
            weights = w, influence = TRUE)
  } else {
    survfit(Surv(time, factor(status)) ~ group, data = competing, id = rid, influence = TRUE)
  }
  groups <- sort(unique(competing$group))
  out <- list()
  for (k in seq_along(groups)) {
    rows <- competing$group == groups[k]
    # people x times x states, rows in data order: dF/dw_i, so w_i dF/dw_i is the influence
    infl <- fit$influence.pstate[[k]]
    if (weighted) infl <- infl * competing$w[rows]
    curve_times <- fit[k, ]$time
    pos <- findInterval(times, curve_times)
    se <- matrix(NA_real_, length(times), 2)
    for (state in 2:3) {
      summed <- rowsum(infl[, , state], competing$cl[rows])
      full <- sqrt(colSums(summed^2))
      se[, state - 1] <- full[pos]  # the curve times start at 0
    }
    smry <- summary(fit[k, ], times = times)
    pstate <- smry$pstate[, 2:3]
    # the same sum without clusters reproduces survfit's own standard errors
    unclustered <- sqrt(colSums(infl[, , 2]^2))[pos]
    stopifnot(isTRUE(all.equal(unclustered, unname(smry$std.err[, 2]), tolerance = 1e-12)))
    out[[groups[k]]] <- list(incidence = unname(pstate), std_err = unname(se))
  }
  list(times = times, groups = groups, curves = out)
}

out <- list(
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  unweighted = clustered(FALSE),
  weighted = clustered(TRUE)
)
write_json(out, "tests/reference/competing_cluster.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
