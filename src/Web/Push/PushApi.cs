using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Push;

/// <summary>The application server key a browser subscribes with.</summary>
public sealed record PushKeyResponse(string PublicKey);

/// <summary>A stored subscription, as the browser knows it.</summary>
public sealed record PushSubscriptionResponse(string Endpoint);

/// <summary>Web push for the signed-in person: the VAPID public key, and adding or removing this browser's subscription.</summary>
public static class PushApi
{
    public static RouteGroupBuilder MapPushApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        // A person's own browsers, not an organisation's data: signed-in people only, never an API key.
        var push = api.MapGroup("/push").RequireSignedInUser();
        push.MapGet("/key", KeyAsync).WithName("GetPushKey");
        push.MapPost("/subscriptions", SubscribeAsync).WithName("AddPushSubscription");
        push.MapDelete("/subscriptions", UnsubscribeAsync).WithName("RemovePushSubscription");
        return api;
    }

    private static async Task<Ok<PushKeyResponse>> KeyAsync(VapidKeyProvider keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(new PushKeyResponse((await keys.GetAsync(cancellationToken)).PublicKey));

    private static async Task<Results<Created<PushSubscriptionResponse>, Ok<PushSubscriptionResponse>, ValidationProblem>> SubscribeAsync(
        PushSubscriptionRequest request, HttpContext context, PushSubscriptions subscriptions, CancellationToken cancellationToken)
    {
        var errors = PushSubscriptions.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "This push subscription cannot be used");
        }

        var created = await subscriptions.SaveAsync(OrgAccess.UserId(context.User)!, request, cancellationToken);
        var body = new PushSubscriptionResponse(request.Endpoint!);
        return created ? TypedResults.Created((string?)null, body) : TypedResults.Ok(body);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> UnsubscribeAsync(
        [FromBody] PushUnsubscribeRequest request, HttpContext context, PushSubscriptions subscriptions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Endpoint))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["endpoint"] = ["Give the endpoint of the subscription to remove."] });
        }

        return await subscriptions.RemoveAsync(OrgAccess.UserId(context.User)!, request.Endpoint, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "You have no push subscription at that endpoint.");
    }
}
