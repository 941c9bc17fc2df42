using System.Globalization;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Catalog;

/// <summary>
/// What applying a catalog changes, field by field, for its report and for one audit entry per change.
/// </summary>
public sealed class CatalogChanges
{
    private readonly List<Log> _entries = [];

    public List<string> Created { get; } = [];
    public List<string> Updated { get; } = [];
    public int Unchanged { get; private set; }

    /// <summary>The created or changed items, each with its fields' before → after.</summary>
    public IEnumerable<Log> Entries => _entries.Where(e => e.IsNew || e.Changed);

    public Log For(string subject, bool isNew) => new(subject, isNew);

    public void Done(Log log)
    {
        _entries.Add(log);
        if (log.IsNew)
            Created.Add(log.Subject);
        else if (log.Changed)
            Updated.Add(log.Subject);
        else
            Unchanged++;
    }

    public CatalogReport Report(bool applied, IReadOnlyList<string> notInCatalog) =>
        new(applied, Created, Updated, Unchanged, notInCatalog, new Dictionary<string, string[]>());

    /// <summary>The changed fields of one team, service or environment.</summary>
    public sealed class Log(string subject, bool isNew)
    {
        private readonly List<(string Field, string Before, string After)> _fields = [];

        public string Subject { get; } = subject;
        public bool IsNew { get; } = isNew;
        public bool Changed => _fields.Count > 0;

        public bool Set<T>(string field, T current, T wanted, Action<T> assign)
        {
            if (EqualityComparer<T>.Default.Equals(current, wanted))
                return false;
            _fields.Add((field, Text(current), Text(wanted)));
            assign(wanted);
            return true;
        }

        public AuditEntry ToAudit(AuditActor actor, DateTime now) =>
            new()
            {
                At = now,
                ActorKind = actor.Kind,
                Actor = actor.Name,
                ActorId = actor.Id,
                Action = IsNew ? "catalog.created" : "catalog.changed",
                Subject = Subject.Replace(' ', '/'),
                Before = IsNew ? null : string.Join("; ", _fields.Select(f => $"{f.Field} {f.Before}")),
                After = string.Join("; ", _fields.Select(f => $"{f.Field} {f.After}")),
            };

        private static string Text<T>(T value) =>
            value switch
            {
                null => "(none)",
                string s when s.Length == 0 => "(none)",
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
    }
}
