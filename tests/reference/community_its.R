# Interrupted time series reference: Lopez Bernal, Cummins & Gasparrini (2017), IJE 46(1):348-355,
# "Interrupted time series regression for the evaluation of public health interventions: a
# tutorial" -- the Sicily smoking ban data (sicily.csv, from github.com/gasparrini/
# 2017_lopezbernal_IJE_codedata) and the tutorial's models 1-4, plus a negative binomial fit
# (MASS::glm.nb), Newey-West HAC covariances (sandwich::NeweyWest), a Ljung-Box test, the
# counterfactual of model 4, and a controlled ITS with a deterministic comparison series
# (sandwich::vcovPL, Driscoll-Kraay). Run from the repository root:
#   Rscript tests/reference/community_its.R
suppressPackageStartupMessages({ library(sandwich); library(MASS); library(jsonlite) })
data <- read.csv("tests/reference/sicily.csv")
# tsModel::harmonic(month, 2, 12) spans the same columns as these four
for (k in 1:2) {
  data[[paste0("sin", k)]] <- sin(2 * pi * k * data$month / 12)
  data[[paste0("cos", k)]] <- cos(2 * pi * k * data$month / 12)
}
data$since <- (data$time - 36) * data$smokban
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
seas <- "+ sin1 + cos1 + sin2 + cos2"
f_step <- aces ~ offset(log(stdpop)) + smokban + time
f_step_seas <- as.formula(paste("aces ~ offset(log(stdpop)) + smokban + time", seas))
f_slope_seas <- as.formula(paste("aces ~ offset(log(stdpop)) + smokban + time + since", seas))
model1 <- glm(f_step, family = poisson, data = data, control = ctl)
model2 <- glm(f_step, family = quasipoisson, data = data, control = ctl)
model3 <- glm(f_step_seas, family = quasipoisson, data = data, control = ctl)
model4 <- glm(f_slope_seas, family = quasipoisson, data = data, control = ctl)
model4p <- glm(f_slope_seas, family = poisson, data = data, control = ctl)
model4nb <- glm.nb(f_slope_seas, data = data, control = glm.control(epsilon = 1e-11, maxit = 100))

out <- function(m, hac_lag = 3) {
  V <- vcov(m)
  nw <- NeweyWest(m, lag = hac_lag, prewhite = FALSE, adjust = FALSE)
  z <- qnorm(0.975)
  b <- coef(m)
  list(
    terms = names(b), coef = unname(b), se = unname(sqrt(diag(V))),
    hac_se = unname(sqrt(diag(nw))),
    dispersion = summary(m)$dispersion,
    rr = unname(exp(b)), rr_lower = unname(exp(b - z * sqrt(diag(V)))),
    rr_upper = unname(exp(b + z * sqrt(diag(V))))
  )
}
res <- list(
  R = R.version.string, sandwich = as.character(packageVersion("sandwich")),
  MASS = as.character(packageVersion("MASS")),
  model1 = out(model1), model2 = out(model2), model3 = out(model3), model4 = out(model4),
  model4_poisson = out(model4p), model4_negbin = c(out(model4nb), theta = model4nb$theta),
  trend_per_year_model3 = unname(exp(coef(model3)["time"] * 12))
)
lb <- Box.test(residuals(model3, type = "deviance"), lag = 12, type = "Ljung-Box")
res$ljung_box_model3 <- list(statistic = unname(lb$statistic), df = unname(lb$parameter),
                             p_value = lb$p.value)
# counterfactual of model 4 (quasi-Poisson): the same months had the ban not happened
cf <- transform(data, smokban = 0, since = 0)
p <- predict(model4, newdata = cf, type = "link", se.fit = TRUE)
res$counterfactual_model4 <- list(link = unname(p$fit), se = unname(p$se.fit))

# controlled ITS: Sicily against a deterministic comparison series (no ban effect built in)
comp <- transform(data, aces = round(0.6 * aces + 15 * cos(time)), group = 0)
both <- rbind(transform(data, group = 1), comp)
both$group_post <- both$group * both$smokban
both$group_since <- both$group * both$since
both$group_time <- both$group * both$time
fc <- as.formula(paste("aces ~ offset(log(stdpop)) + time + smokban + since + group +",
                       "group_time + group_post + group_since", seas))
mc <- glm(fc, family = quasipoisson, data = both, control = ctl)
dk <- vcovPL(mc, cluster = ~group, order.by = ~time, lag = 3, adjust = FALSE)
res$controlled <- list(terms = names(coef(mc)), coef = unname(coef(mc)),
                       se = unname(sqrt(diag(vcov(mc)))), hac_se = unname(sqrt(diag(dk))),
                       comparison_aces = comp$aces)
writeLines(toJSON(res, digits = I(15), auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/community_its.json")
cat("model4 smokban RR", exp(coef(model4)["smokban"]), "\n")
print(round(cbind(exp(coef(model3)), exp(confint.default(model3))), 3))
print(round(cbind(exp(coef(model1)), exp(confint.default(model1))), 3))
