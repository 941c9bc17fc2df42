using System.Text.Json;
using System.Text.Json.Nodes;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Features.Notifications;

/// <summary>
/// A notice as each receiver wants it: a Slack incoming webhook's text and blocks, a Teams Workflows webhook's message
/// with an Adaptive Card, or our own JSON (signed when sent). Rendered when the notice is written, so the outbox holds
/// the body exactly as it goes out.
/// </summary>
public static class NotificationBodies
{
    public static string Render(NotificationKind kind, Notice notice, string idempotencyKey) =>
        (
            kind switch
            {
                NotificationKind.Slack => Slack(notice),
                NotificationKind.Teams => Teams(notice),
                _ => Json(notice, idempotencyKey),
            }
        ).ToJsonString(JsonSerializerOptions.Web);

    /// <summary>
    /// Slack's Block Kit: a header (plain text, at most 150 characters), a mrkdwn section (at most 3,000), fields (at
    /// most 10, 2,000 each), and the fallback <c>text</c> for notifications. &amp;, &lt; and &gt; are escaped so a
    /// reason cannot ping a channel or forge a link.
    /// </summary>
    private static JsonObject Slack(Notice notice)
    {
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = new JsonObject
                {
                    ["type"] = "plain_text",
                    ["text"] = Cut(notice.Title, 150),
                    ["emoji"] = true,
                },
            },
            Section(Cut(Escape(notice.Text), 3000)),
        };
        if (notice.Facts.Count > 0)
            blocks.Add(
                new JsonObject
                {
                    ["type"] = "section",
                    ["fields"] = new JsonArray(
                        notice
                            .Facts.Take(10)
                            .Select(f => (JsonNode)Mrkdwn(Cut($"*{Escape(f.Name)}*\n{Escape(f.Value)}", 2000)))
                            .ToArray()
                    ),
                }
            );
        if (notice.Link is not null)
            blocks.Add(Section($"<{notice.Link}|{Escape(notice.LinkText ?? "Open in ReleaseBoard")}>"));
        blocks.Add(
            new JsonObject
            {
                ["type"] = "context",
                ["elements"] = new JsonArray(
                    Mrkdwn($"ReleaseBoard · {notice.Event} · {notice.At:yyyy-MM-dd HH:mm} UTC")
                ),
            }
        );
        return new JsonObject { ["text"] = Cut(Escape($"{notice.Title}: {notice.Text}"), 3000), ["blocks"] = blocks };
    }

    private static JsonObject Section(string mrkdwn) => new() { ["type"] = "section", ["text"] = Mrkdwn(mrkdwn) };

    private static JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    /// <summary>The characters Slack reads as markup, as its formatting reference asks.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>
    /// The message a Teams "post to a channel when a webhook request is received" workflow takes: one attachment of
    /// content type application/vnd.microsoft.card.adaptive holding an Adaptive Card 1.4.
    /// </summary>
    private static JsonObject Teams(Notice notice)
    {
        var body = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "TextBlock",
                ["text"] = Markdown(notice.Title),
                ["weight"] = "Bolder",
                ["size"] = "Medium",
                ["wrap"] = true,
            },
            new JsonObject
            {
                ["type"] = "TextBlock",
                ["text"] = Markdown(notice.Text),
                ["wrap"] = true,
            },
        };
        if (notice.Facts.Count > 0)
            body.Add(
                new JsonObject
                {
                    ["type"] = "FactSet",
                    ["facts"] = new JsonArray(
                        notice
                            .Facts.Select(f =>
                                (JsonNode)new JsonObject { ["title"] = Markdown(f.Name), ["value"] = Markdown(f.Value) }
                            )
                            .ToArray()
                    ),
                }
            );
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
        };
        if (notice.Link is not null)
            card["actions"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "Action.OpenUrl",
                    ["title"] = notice.LinkText ?? "Open in ReleaseBoard",
                    ["url"] = notice.Link,
                }
            );
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(
                new JsonObject
                {
                    ["contentType"] = "application/vnd.microsoft.card.adaptive",
                    ["contentUrl"] = null,
                    ["content"] = card,
                }
            ),
        };
    }

    /// <summary>
    /// Adaptive Card text is Markdown: its markup characters are escaped with a backslash, so a reason or an incident
    /// title cannot become a link ("[Approve](https://…)") or change the emphasis.
    /// </summary>
    public static string Markdown(string text)
    {
        var escaped = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (MarkdownMarkup.Contains(c))
                escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    /// <summary>Links, emphasis, strike-through, code: what lets text change how it reads or where it leads.</summary>
    private const string MarkdownMarkup = @"\`*_[]~";

    private static JsonObject Json(Notice notice, string idempotencyKey) =>
        new()
        {
            ["event"] = notice.Event,
            ["title"] = notice.Title,
            ["text"] = notice.Text,
            ["team"] = notice.Team,
            ["facts"] = new JsonArray(
                notice.Facts.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["value"] = f.Value }).ToArray()
            ),
            ["link"] = notice.Link,
            ["occurredAt"] = notice.At.ToString(
                "yyyy-MM-ddTHH:mm:ssZ",
                System.Globalization.CultureInfo.InvariantCulture
            ),
            ["idempotencyKey"] = idempotencyKey,
        };

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
