namespace SalesDash.Web.Plans;

/// <summary>
/// Endpoint filters that refuse a feature the organisation's tier does not include, with the plan-limit problem
/// naming the feature and the least tier that includes it. Applied where the route is declared, so a new endpoint
/// of a gated capability states its gate beside its role.
/// </summary>
public static class PlanGates
{
    /// <summary>Refuses unless the tier of the route's <c>{tenantId}</c> includes <paramref name="feature"/>.</summary>
    public static TBuilder RequirePlanFeature<TBuilder>(this TBuilder builder, PlanFeature feature)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            // Runs after the role check: the route's organisation is one the caller belongs to, so naming its plan leaks nothing.
            if (context.HttpContext.GetRouteValue("tenantId") is string tenantId)
            {
                var plans = context.HttpContext.RequestServices.GetRequiredService<IPlanService>();
                var limits = await plans.GetLimitsAsync(tenantId, context.HttpContext.RequestAborted);
                if (PlanLimitProblems.Feature(limits, feature) is { } refused)
                {
                    return refused;
                }
            }

            return await next(context);
        });
        return builder;
    }

    /// <summary>
    /// Refuses live figures of the route's <c>{tenantId}</c> once its tracked revenue stayed over the month's cap past
    /// the grace period; history and exports are other routes and stay open.
    /// </summary>
    public static TBuilder RequireLiveViewAllowance<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            if (context.HttpContext.GetRouteValue("tenantId") is string tenantId)
            {
                var meter = context.HttpContext.RequestServices.GetRequiredService<RevenueMeter>();
                var cancellationToken = context.HttpContext.RequestAborted;
                if (await meter.LiveViewRefusalAsync(tenantId, cancellationToken) is { } why)
                {
                    var plans = context.HttpContext.RequestServices.GetRequiredService<IPlanService>();
                    return PlanLimitProblems.RevenueCap(await plans.GetLimitsAsync(tenantId, cancellationToken), await meter.MeasureAsync(tenantId, cancellationToken), why);
                }
            }

            return await next(context);
        });
        return builder;
    }
}
