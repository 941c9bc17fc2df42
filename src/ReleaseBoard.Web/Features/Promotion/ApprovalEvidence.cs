using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>
/// The evidence an approver decides on, stored with each approval with a SHA-256 of its JSON, so a later change of
/// thresholds or history never rewrites what someone agreed to.
/// </summary>
public sealed record ApprovalEvidence(int SoakMinutes, IReadOnlyList<ReadinessCriterion> Criteria, WhatIf? WhatIf)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool AllPass => Criteria.All(c => c.Passed);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Lowercase hex SHA-256 of <see cref="ToJson"/>: what the page shows and the approval stores.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson())));

    /// <summary>One line for the audit trail: the hash, each criterion, the what-if.</summary>
    public string Summary()
    {
        var criteria = string.Join(
            "; ",
            Criteria.Select(c => $"{(c.Passed ? "pass" : "FAIL")} {c.Name}: {c.Measured} ({c.Threshold})")
        );
        return $"evidence sha256:{Hash[..16]} · {criteria} · {WhatIfLine(WhatIf)}";
    }

    public static string WhatIfLine(WhatIf? w) =>
        w is null
            ? "what if: no environment before to soak in"
            : $"what if, last 90 days at {w.SoakMinutes} min: {w.CatchesReachingProduction} of {w.CatchesMatched} "
                + $"catches "
                + $"would have reached production, {DurationText.Format(w.ShelfTimeSaved, "no")} shelf time saved "
                + $"over {w.VersionsPromoted} versions";

    public static ApprovalEvidence? FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<ApprovalEvidence>(json, Json);
}

/// <summary>Takes the evidence for an environment now: its readiness and the what-if at its own soak time.</summary>
public sealed class EvidenceSnapshot(ReadinessEvaluator readiness, WhatIfReplay whatIf)
{
    public async Task<ApprovalEvidence> TakeAsync(
        int environmentId,
        int soakMinutes,
        CancellationToken cancellationToken
    )
    {
        var criteria = await readiness.EvaluateAsync(environmentId, cancellationToken);
        var replay = await whatIf.ReplayAsync(environmentId, soakMinutes, cancellationToken);
        return new ApprovalEvidence(soakMinutes, criteria.Criteria, replay);
    }
}
