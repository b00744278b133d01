# Goodman-Bacon decomposition reference for rpeval.community.did.bacon_decomposition:
# R bacondecomp 0.1.3 (github.com/evanjflack/bacondecomp) with fixest 0.14.2, both built
# from public source into /opt/rlib-bacon, on R did's mpdta data (tests/reference/mpdta.csv).
# Run: Rscript tests/reference/community_did_bacon.R  (writes community_did_bacon.json)
.libPaths(c("/opt/rlib-bacon", "/opt/rlib-did", .libPaths()))
suppressPackageStartupMessages({library(bacondecomp); library(fixest); library(jsonlite)})
here <- "tests/reference"
d <- read.csv(file.path(here, "mpdta.csv"))
d$treat_post <- as.numeric(d$first.treat > 0 & d$year >= d$first.treat)
parts <- bacon(lemp ~ treat_post, data = d, id_var = "countyreal", time_var = "year",
               quietly = TRUE)
twfe <- feols(lemp ~ treat_post | countyreal + year, data = d, cluster = ~countyreal)
out <- list(bacondecomp_version = as.character(packageVersion("bacondecomp")),
            fixest_version = as.character(packageVersion("fixest")),
            twfe = unname(coef(twfe)["treat_post"]),
            treated = parts$treated, untreated = ifelse(is.infinite(parts$untreated), "never",
                                                        as.character(parts$untreated)),
            estimate = parts$estimate, weight = parts$weight, type = parts$type)
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, pretty = TRUE),
           file.path(here, "community_did_bacon.json"))
