using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.Web.Tests.History;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Imports;

/// <summary>
/// A disconnected store takes no file: the upload and the preview are refused with 409 problem+json saying why, and a
/// job queued before the disconnect ends Failed with the reason when a worker takes it, having written nothing.
/// </summary>
public sealed class ImportAdmissionTests
{
    private static readonly StoreRef Shop = new("acme", "imp-shop");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Imports_into_a_disconnected_store_are_refused_at_upload_and_a_job_queued_before_fails_with_the_reason_writing_nothing()
    {
        var file = ExportShapes.Generic(ExportShapes.Orders(7, 12));
        await using var first = new HistoryApp("DuckDb", new Dictionary<string, string> { ["Imports:RunJobs"] = "false" });
        await first.Services.GetRequiredService<IStoreDirectory>().UpsertAsync(
            new StoreProfile(Shop, "Import Shop", SalesChannel.Shopify, "acme-imp.myshopify.com", "GBP", "Europe/London", "imp-secret-0123456789"), Ct);
        var admin = first.CreateSignedInClient();

        // Queued while the store takes data; no worker runs here.
        Guid id;
        using (var queued = await ImportClient.UploadAsync(first, Shop.StoreId, file.Bytes, file.Name, null, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
            id = (await queued.Content.ReadFromJsonAsync<ImportBody>(HistoryApp.Json, Ct))!.Id;
        }

        using (var disconnected = await admin.PostAsync($"/api/tenants/acme/stores/{Shop.StoreId}/disconnect", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, disconnected.StatusCode);
        }

        using (var upload = await ImportClient.UploadAsync(first, Shop.StoreId, file.Bytes, file.Name, null, Ct))
        {
            await AssertRefusedAsync(upload);
        }

        using (var form = ImportClient.Form(file.Bytes, file.Name))
        using (var preview = await admin.PostAsync($"/api/tenants/acme/stores/{Shop.StoreId}/imports/preview", form, Ct))
        {
            await AssertRefusedAsync(preview);
        }

        // Another node (this one restarted with its worker) takes the job queued before the disconnect.
        await using var second = await first.RestartAsync(o => o with { Settings = HistoryApp.FastHistory() });
        var import = await ImportClient.WaitAsync(second, id, Ct);
        var october = (await ImportClient.OctoberAsync(second, Shop.StoreId, Ct)).Kpis;

        Assert.Equal(("Failed", 0, 0), (import.Status, import.EventsAccepted, import.EventsDuplicate));
        Assert.Contains("was disconnected", import.Failure, StringComparison.Ordinal);
        Assert.Contains("nothing was imported", import.Failure, StringComparison.Ordinal);
        Assert.Equal((0m, 0m), (october.Orders.Value ?? 0m, october.GrossRevenue.Value ?? 0m));
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal("Store disconnected", problem.GetProperty("title").GetString());
        Assert.Contains("Import Shop (imp-shop) was disconnected on", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
