# Reference values for rpeval.community.did from R's `did` package (Callaway & Sant'Anna),
# built from its public source (github.com/bcallaway11/did at commit 532811a, version
# 2.3.1.907: the head, 2.5.1, needs DRDID >= 1.3.0, which is not published) with DRDID 1.2.3
# (github.com/pedrohcgs/DRDID) and BMisc 1.4.8 into /opt/rlib-did.
# Run: Rscript tests/reference/community_did.R  (writes community_did.json and mpdta.csv)
.libPaths(c("/opt/rlib-did", .libPaths()))
suppressPackageStartupMessages({library(did); library(jsonlite)})
data(mpdta, package = "did")
here <- "tests/reference"
write.csv(mpdta[, c("countyreal", "year", "lemp", "lpop", "first.treat", "treat")],
          file.path(here, "mpdta.csv"), row.names = FALSE)

fit <- function(control, est, xformla, anticipation = 0, bstrap = FALSE, seed = NULL) {
  if (!is.null(seed)) set.seed(seed)
  att_gt(yname = "lemp", tname = "year", idname = "countyreal", gname = "first.treat",
         xformla = xformla, data = mpdta, control_group = control, est_method = est,
         anticipation = anticipation, bstrap = bstrap, cband = bstrap, biters = 20000)
}
cells <- function(m) list(group = m$group, time = m$t, att = m$att, se = m$se,
                          crit_val = unname(m$c))
agg <- function(m, type, bstrap = FALSE) {
  a <- aggte(m, type = type, bstrap = bstrap, cband = bstrap, biters = 20000, na.rm = TRUE)
  out <- list(overall_att = a$overall.att, overall_se = a$overall.se)
  if (type != "simple") {
    out$egt <- a$egt; out$att_egt <- a$att.egt; out$se_egt <- a$se.egt
    out$crit_val <- unname(a$crit.val.egt)
  }
  out
}
out <- list(did_version = as.character(packageVersion("did")),
            drdid_version = as.character(packageVersion("DRDID")),
            r_version = R.version.string, analytic = list(), bootstrap = list())
specs <- list(
  list(name = "never_nocov", control = "nevertreated", est = "dr", x = ~1, ant = 0),
  list(name = "notyet_nocov", control = "notyettreated", est = "dr", x = ~1, ant = 0),
  list(name = "never_nocov_ant1", control = "nevertreated", est = "dr", x = ~1, ant = 1),
  list(name = "notyet_nocov_ant1", control = "notyettreated", est = "dr", x = ~1, ant = 1)
)
for (control in c("nevertreated", "notyettreated")) for (est in c("reg", "ipw", "dr")) {
  specs[[length(specs) + 1]] <- list(name = paste(control, est, "lpop", sep = "_"),
    control = control, est = est, x = ~lpop, ant = 0)
}
for (s in specs) {
  m <- fit(s$control, s$est, s$x, s$ant)
  entry <- list(control = s$control, est_method = s$est, covariates = all.vars(s$x),
                anticipation = s$ant, cells = cells(m))
  for (type in c("simple", "dynamic", "group", "calendar")) entry[[type]] <- agg(m, type)
  out$analytic[[s$name]] <- entry
}
# Bootstrap (Rademacher multiplier, 20000 draws): SEs and uniform critical values
for (s in specs[c(1, 2)]) {
  m <- fit(s$control, s$est, s$x, s$ant, bstrap = TRUE, seed = 20240101)
  set.seed(20240102)
  out$bootstrap[[s$name]] <- list(cells = cells(m), dynamic = agg(m, "dynamic", TRUE),
                                  simple = agg(m, "simple", TRUE))
}
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, pretty = TRUE, na = "null"),
           file.path(here, "community_did.json"))
