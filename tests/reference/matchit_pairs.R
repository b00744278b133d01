# Pair identities and weights from MatchIt 4.7.2, unit by unit, for every nearest-neighbour
# option rpeval.matching.match() shares with it, on MatchIt's `lalonde` data.
#
# Run from the repository root with MatchIt 4.7.2 on the library path (Debian ships 4.5.1,
# which ignores calipers and reuses controls with replace = TRUE; see README.md):
#   R_LIBS=<library holding MatchIt 4.7.2> Rscript tests/reference/matchit_pairs.R
# Writes tests/reference/matchit_pairs.json. Each case records the call in rpeval's own
# vocabulary (`args`, passed to match() by the test as they are), the match matrix
# (treated id -> control ids in MatchIt's column order, null where none), and every
# unit's weight and subclass.
suppressPackageStartupMessages({
  library(MatchIt)
  library(jsonlite)
})
stopifnot(packageVersion("MatchIt") >= "4.7.2")

data("lalonde", package = "MatchIt")
full <- treat ~ age + educ + race + married + nodegree + re74 + re75
maha4 <- treat ~ age + educ + re74 + re75

# A user-supplied score with many exact ties (the propensity score rounded to two
# decimals): the tie rules decide most pairs. Written to the JSON, not recomputed.
ps <- glm(full, data = lalonde, family = binomial)$fitted.values
lalonde$tied_score <- round(unname(ps), 2)

record <- function(m, args) {
  mm <- m$match.matrix
  controls <- lapply(seq_len(nrow(mm)), function(i) unname(mm[i, ]))
  list(args = args,
       treated = rownames(mm),
       controls = controls,
       id = names(m$weights),
       weights = unname(m$weights),
       subclass = if (is.null(m$subclass)) NULL else as.character(m$subclass),
       n_matched = unname(c(sum(m$weights[lalonde$treat == 0] > 0),
                            sum(m$weights[lalonde$treat == 1] > 0))))
}

a <- function(...) list(...)   # rpeval arguments, named as in match()

cases <- list(
  glm = list(matchit(full, data = lalonde),
             a(covariates = "full")),
  linear_logit = list(matchit(full, data = lalonde, link = "linear.logit"),
                      a(covariates = "full", link = "linear.logit")),
  mahalanobis = list(matchit(maha4, data = lalonde, distance = "mahalanobis"),
                     a(covariates = "maha4", distance = "mahalanobis")),
  user_score = list(matchit(full, data = lalonde, distance = lalonde$tied_score),
                    a(covariates = "full", distance = "tied_score")),
  user_score_smallest = list(matchit(full, data = lalonde, distance = lalonde$tied_score,
                                     m.order = "smallest"),
                             a(covariates = "full", distance = "tied_score",
                               order = "smallest")),
  user_score_data = list(matchit(full, data = lalonde, distance = lalonde$tied_score,
                                 m.order = "data"),
                         a(covariates = "full", distance = "tied_score", order = "data")),
  smallest = list(matchit(full, data = lalonde, m.order = "smallest"),
                  a(covariates = "full", order = "smallest")),
  data_order = list(matchit(full, data = lalonde, m.order = "data"),
                    a(covariates = "full", order = "data")),
  ratio2 = list(matchit(full, data = lalonde, ratio = 2),
                a(covariates = "full", ratio = 2)),
  ratio3_tied = list(matchit(full, data = lalonde, distance = lalonde$tied_score, ratio = 3),
                     a(covariates = "full", distance = "tied_score", ratio = 3)),
  replace = list(matchit(full, data = lalonde, replace = TRUE),
                 a(covariates = "full", replace = TRUE)),
  replace_ratio2 = list(matchit(full, data = lalonde, replace = TRUE, ratio = 2),
                        a(covariates = "full", replace = TRUE, ratio = 2)),
  replace_ratio3_tied = list(matchit(full, data = lalonde, distance = lalonde$tied_score,
                                     replace = TRUE, ratio = 3),
                             a(covariates = "full", distance = "tied_score", replace = TRUE,
                               ratio = 3)),
  caliper = list(matchit(full, data = lalonde, caliper = 0.1),
                 a(covariates = "full", caliper = 0.1)),
  caliper_logit = list(matchit(full, data = lalonde, link = "linear.logit", caliper = 0.2),
                       a(covariates = "full", link = "linear.logit", caliper = 0.2)),
  caliper_raw = list(matchit(full, data = lalonde, caliper = 0.02, std.caliper = FALSE),
                     a(covariates = "full", caliper = 0.02, std_caliper = FALSE)),
  caliper_covariate = list(matchit(full, data = lalonde, caliper = c(0.25, age = 0.5)),
                           a(covariates = "full", caliper = list(distance = 0.25, age = 0.5))),
  caliper_covariate_only = list(matchit(full, data = lalonde, caliper = c(re75 = 0.1)),
                                a(covariates = "full", caliper = list(re75 = 0.1))),
  exact = list(matchit(full, data = lalonde, exact = ~married),
               a(covariates = "full", exact = list("married"))),
  exact_caliper = list(matchit(full, data = lalonde, exact = ~married + nodegree,
                               caliper = 0.1),
                       a(covariates = "full", exact = list("married", "nodegree"),
                         caliper = 0.1)),
  exact_tied = list(matchit(full, data = lalonde, distance = lalonde$tied_score,
                            exact = ~race),
                    a(covariates = "full", distance = "tied_score", exact = list("race"))),
  antiexact = list(matchit(full, data = lalonde, antiexact = ~nodegree),
                   a(covariates = "full", antiexact = list("nodegree"))),
  discard_control = list(matchit(full, data = lalonde, discard = "control"),
                         a(covariates = "full", discard = "control")),
  discard_treated = list(matchit(full, data = lalonde, discard = "treated",
                                 link = "linear.logit"),
                         a(covariates = "full", discard = "treated", link = "linear.logit")),
  ratio3_caliper_tied = list(matchit(full, data = lalonde, distance = lalonde$tied_score,
                                     ratio = 3, caliper = 0.25, m.order = "smallest"),
                             a(covariates = "full", distance = "tied_score", ratio = 3,
                               caliper = 0.25, order = "smallest")),
  discard_both = list(matchit(full, data = lalonde, discard = "both", ratio = 2),
                      a(covariates = "full", discard = "both", ratio = 2)),
  ratio2_caliper_replace = list(matchit(full, data = lalonde, ratio = 2, replace = TRUE,
                                        caliper = 0.05),
                                a(covariates = "full", ratio = 2, replace = TRUE,
                                  caliper = 0.05)),
  atc = list(matchit(full, data = lalonde, estimand = "ATC", replace = TRUE),
             a(covariates = "full", estimand = "ATC", replace = TRUE)),
  mahalanobis_ratio2 = list(matchit(maha4, data = lalonde, distance = "mahalanobis",
                                    ratio = 2),
                            a(covariates = "maha4", distance = "mahalanobis", ratio = 2)),
  mahalanobis_replace2 = list(matchit(maha4, data = lalonde, distance = "mahalanobis",
                                      replace = TRUE, ratio = 2),
                              a(covariates = "maha4", distance = "mahalanobis",
                                replace = TRUE, ratio = 2)),
  mahalanobis_exact = list(matchit(maha4, data = lalonde, distance = "mahalanobis",
                                   exact = ~married),
                           a(covariates = "maha4", distance = "mahalanobis",
                             exact = list("married"))),
  mahalanobis_antiexact = list(matchit(maha4, data = lalonde, distance = "mahalanobis",
                                       antiexact = ~nodegree),
                               a(covariates = "maha4", distance = "mahalanobis",
                                 antiexact = list("nodegree"))),
  mahalanobis_caliper = list(matchit(maha4, data = lalonde, distance = "mahalanobis",
                                     caliper = c(age = 0.5)),
                             a(covariates = "maha4", distance = "mahalanobis",
                               caliper = list(age = 0.5)))
)

out <- list(
  meta = list(
    R = R.version.string,
    MatchIt = as.character(packageVersion("MatchIt")),
    jsonlite = as.character(packageVersion("jsonlite")),
    script = "tests/reference/matchit_pairs.R",
    data = "tests/reference/lalonde.csv",
    covariates = list(full = "age + educ + C(race) + married + nodegree + re74 + re75",
                      maha4 = "age + educ + re74 + re75"),
    tied_score = lalonde$tied_score
  ),
  cases = lapply(cases, function(x) record(x[[1]], x[[2]]))
)

write_json(out, "tests/reference/matchit_pairs.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
