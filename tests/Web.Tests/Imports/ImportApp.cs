using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Identity;
using SalesDash.Web.Imports;
using SalesDash.Web.Tests.History;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Imports;

/// <summary>Uploads and previews through the imports API, with the form fields a person's choices become.</summary>
internal static class ImportClient
{
    public static MultipartFormDataContent Form(byte[] file, string fileName, IReadOnlyDictionary<string, string>? fields = null)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields ?? new Dictionary<string, string>())
        {
            form.Add(new StringContent(value), name);
        }

        form.Add(new ByteArrayContent(file), "file", fileName);
        return form;
    }

    public static async Task<HttpResponseMessage> UploadAsync(SalesDashHost app, string storeId, byte[] file, string fileName, IReadOnlyDictionary<string, string>? fields, CancellationToken ct)
    {
        using var form = Form(file, fileName, fields);
        return await app.CreateSignedInClient().PostAsync($"/api/tenants/acme/stores/{storeId}/imports", form, ct);
    }

    public static async Task<ImportBody> ImportAsync(SalesDashHost app, string storeId, byte[] file, string fileName, IReadOnlyDictionary<string, string>? fields, CancellationToken ct)
    {
        using var response = await UploadAsync(app, storeId, file, fileName, fields, ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(ct));
        var started = (await response.Content.ReadFromJsonAsync<ImportBody>(HistoryApp.Json, ct))!;
        return await WaitAsync(app, started.Id, ct);
    }

    /// <summary>Polls until the import has finished, moving the frozen clock with the wait.</summary>
    public static async Task<ImportBody> WaitAsync(SalesDashHost app, Guid id, CancellationToken ct)
    {
        var client = app.CreateSignedInClient();
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            var progress = (await client.GetFromJsonAsync<ImportBody>($"/api/tenants/acme/imports/{id}", HistoryApp.Json, ct))!;
            if (progress.Status is "Completed" or "Failed")
            {
                await app.FlushHistoryAsync();
                return progress;
            }

            Assert.True(DateTime.UtcNow < deadline, $"import still {progress.Status} at {progress.RowsDone}/{progress.TotalRows} rows");
            await Task.Delay(100, ct);
            app.Clock.Advance(TimeSpan.FromMilliseconds(100));
        }
    }

    public static async Task<int> ImportJobRowsAsync(this SalesDashHost app, CancellationToken ct)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(ct);
        return await db.Set<ImportJobRow>().CountAsync(ct);
    }

    public static async Task<int> ImportChunkRowsAsync(this SalesDashHost app, CancellationToken ct)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(ct);
        return await db.Set<ImportChunkRow>().CountAsync(ct);
    }

    public static async Task<SummaryBody> OctoberAsync(SalesDashHost app, string storeId, CancellationToken ct) =>
        (await app.CreateSignedInClient().GetFromJsonAsync<SummaryBody>(
            $"/api/tenants/acme/stores/{storeId}/history/summary?period=custom&from=2026-10-01&to=2026-10-31&compare=none", HistoryApp.Json, ct))!;
}
