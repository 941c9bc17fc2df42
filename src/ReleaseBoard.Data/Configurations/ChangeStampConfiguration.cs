using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class ChangeStampConfiguration : IEntityTypeConfiguration<ChangeStamp>
{
    public void Configure(EntityTypeBuilder<ChangeStamp> builder)
    {
        builder.ToTable("ChangeStamps");
        builder.Property(s => s.Id).ValueGeneratedNever();
        // The one row exists from the migration on, so a write only ever updates it.
        builder.HasData(new ChangeStamp { Id = ChangeStamp.RowId, Value = Guid.Empty });
    }
}
