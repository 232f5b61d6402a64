"""The docs season's models, moved from applications with their tables (see
applications 0006): the state is created here, the tables already exist."""

import django.core.validators
import django.db.models.deletion
import programs.validators
from django.conf import settings
from django.db import migrations, models


MODELS = ('writerprofile', 'docproposal', 'budgetitem', 'statementofinterest', 'hire', 'casestudy', 'deliverable', 'lesson', 'survey', 'surveyresponse')


def move_content_types(apps, schema_editor):
    """Permissions and admin history follow the models: their content types change app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="applications", model__in=MODELS).update(
        app_label="docs_season"
    )


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="docs_season", model__in=MODELS).update(
        app_label="applications"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('applications', '0006_move_docs_season_and_evaluations'),
        ('programs', '0005_opencollective_slugs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # State only: the tables stay where they are (Meta.db_table), no row moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CaseStudy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('writers_count', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('project_hours', models.PositiveIntegerField(blank=True, null=True)),
                        ('budget_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True)),
                        ('percent_complete', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(100)])),
                        ('problem', models.TextField(blank=True, max_length=5000, verbose_name='problem and approach')),
                        ('outcomes', models.TextField(blank=True, max_length=5000)),
                        ('went_well', models.TextField(blank=True, max_length=5000, verbose_name='what went well, what you would do differently')),
                        ('advice', models.TextField(blank=True, max_length=5000, verbose_name='advice to other projects')),
                        ('proposal_summary', models.TextField(blank=True, max_length=5000)),
                        ('proposal_process', models.TextField(blank=True, max_length=5000, verbose_name='proposal creation process')),
                        ('budget_requested', models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True)),
                        ('budget_estimate_method', models.TextField(blank=True, max_length=3000, verbose_name='how the estimate was made')),
                        ('hours_budgeted', models.PositiveIntegerField(blank=True, null=True)),
                        ('hours_actual', models.PositiveIntegerField(blank=True, null=True)),
                        ('other_expenses', models.TextField(blank=True, max_length=3000)),
                        ('budget_surprises', models.TextField(blank=True, max_length=3000)),
                        ('recruitment', models.TextField(blank=True, max_length=5000, verbose_name='technical writer recruitment and retention')),
                        ('other_participants', models.TextField(blank=True, max_length=5000)),
                        ('timeline_changes', models.TextField(blank=True, max_length=5000, verbose_name='timeline and its changes')),
                        ('unplanned_deliverables', models.TextField(blank=True, max_length=5000)),
                        ('metrics', models.TextField(blank=True, max_length=5000)),
                        ('analysis', models.TextField(blank=True, max_length=10000)),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted for review'), ('returned', 'Returned for changes'), ('accepted', 'Accepted')], default='draft', max_length=10)),
                        ('submitted_at', models.DateTimeField(blank=True, null=True)),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                        ('review_note', models.TextField(blank=True, max_length=3000)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('participation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='case_study', to='programs.participation')),
                        ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name_plural': 'case studies',
                        'db_table': 'applications_casestudy',
                    },
                ),
                migrations.CreateModel(
                    name='Deliverable',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(default=1)),
                        ('title', models.CharField(max_length=200)),
                        ('planned', models.BooleanField(default=True)),
                        ('percent_complete', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)])),
                        ('links', models.TextField(blank=True, help_text='One URL per line.')),
                        ('notes', models.TextField(blank=True, max_length=2000)),
                        ('case_study', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliverables', to='docs_season.casestudy')),
                    ],
                    options={
                        'db_table': 'applications_deliverable',
                        'ordering': ['position', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='DocProposal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(blank=True, max_length=150)),
                        ('about_organization', models.TextField(blank=True, max_length=5000)),
                        ('problem', models.TextField(blank=True, max_length=5000, verbose_name="the project's problem")),
                        ('scope', models.TextField(blank=True, max_length=10000, verbose_name="the project's scope")),
                        ('success_metrics', models.TextField(blank=True, max_length=5000, verbose_name='measuring success')),
                        ('timeline', models.TextField(blank=True, max_length=5000)),
                        ('participants', models.TextField(blank=True, max_length=5000)),
                        ('additional_information', models.TextField(blank=True, max_length=5000)),
                        ('budget_justification', models.TextField(blank=True, help_text="Needed when the total is outside the program's range.", max_length=5000)),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted')], default='draft', max_length=10)),
                        ('submitted_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('participation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='doc_proposal', to='programs.participation')),
                    ],
                    options={
                        'db_table': 'applications_docproposal',
                    },
                ),
                migrations.CreateModel(
                    name='BudgetItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(default=1)),
                        ('kind', models.CharField(choices=[('technical_writer', 'Technical writer'), ('volunteer_stipend', 'Volunteer stipend'), ('swag', 'Swag'), ('donation', 'Donation to another open-source project'), ('other', 'Other')], max_length=20)),
                        ('description', models.CharField(max_length=300)),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=10)),
                        ('proposal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='budget_items', to='docs_season.docproposal')),
                    ],
                    options={
                        'db_table': 'applications_budgetitem',
                        'ordering': ['position', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Hire',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('agreed_hours', models.PositiveIntegerField(help_text='Total hours agreed for the project.')),
                        ('hours_per_week', models.PositiveSmallIntegerField()),
                        ('compensation', models.DecimalField(decimal_places=2, max_digits=10)),
                        ('currency', models.CharField(default='USD', max_length=3)),
                        ('hired_at', models.DateTimeField()),
                        ('hired_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('participation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='hires', to='programs.participation')),
                        ('writer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='hires', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'applications_hire',
                        'ordering': ['hired_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Lesson',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('went_well', 'What went well'), ('to_improve', 'What could be improved')], max_length=10)),
                        ('topic', models.CharField(max_length=60)),
                        ('what_we_did', models.TextField(max_length=3000)),
                        ('lesson', models.TextField(max_length=3000)),
                        ('case_study', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lessons', to='docs_season.casestudy')),
                    ],
                    options={
                        'db_table': 'applications_lesson',
                        'ordering': ['kind', 'topic', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='StatementOfInterest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('message', models.TextField(max_length=5000)),
                        ('sent_at', models.DateTimeField()),
                        ('participation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='statements', to='programs.participation')),
                        ('writer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='statements', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'applications_statementofinterest',
                        'ordering': ['-sent_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Survey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sequence', models.PositiveSmallIntegerField(default=1)),
                        ('title', models.CharField(max_length=150)),
                        ('questions', models.JSONField(default=list)),
                        ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='surveys', to='programs.program')),
                    ],
                    options={
                        'db_table': 'applications_survey',
                        'ordering': ['program', 'sequence'],
                    },
                ),
                migrations.CreateModel(
                    name='SurveyResponse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('answers', models.JSONField(default=dict)),
                        ('submitted_at', models.DateTimeField()),
                        ('participation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='survey_responses', to='programs.participation')),
                        ('submitted_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='docs_season.survey')),
                    ],
                    options={
                        'db_table': 'applications_surveyresponse',
                    },
                ),
                migrations.CreateModel(
                    name='WriterProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('display_name', models.CharField(max_length=150)),
                        ('headline', models.CharField(blank=True, max_length=200)),
                        ('bio', models.TextField(blank=True)),
                        ('country_of_residence', models.CharField(max_length=2, validators=[django.core.validators.RegexValidator('^[A-Z]{2}$', 'Use the two-letter ISO 3166-1 code, e.g. DE or IN.')])),
                        ('timezone', models.CharField(default='UTC', max_length=64, validators=[programs.validators.validate_timezone])),
                        ('skills', models.JSONField(blank=True, default=list, help_text='Skills as a list of words.')),
                        ('portfolio_links', models.JSONField(blank=True, default=list, help_text='A list of URLs.')),
                        ('hours_per_week_min', models.PositiveSmallIntegerField(default=5, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(80)])),
                        ('hours_per_week_max', models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(80)])),
                        ('is_public', models.BooleanField(default=True)),
                        ('opencollective_slug', models.SlugField(blank=True, max_length=100)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='writer_profile', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'applications_writerprofile',
                        'ordering': ['display_name'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='casestudy',
                    constraint=models.CheckConstraint(condition=models.Q(('percent_complete__isnull', True), ('percent_complete__lte', 100), _connector='OR'), name='case_study_percent_at_most_100'),
                ),
                migrations.AddConstraint(
                    model_name='deliverable',
                    constraint=models.CheckConstraint(condition=models.Q(('percent_complete__lte', 100)), name='deliverable_percent_at_most_100'),
                ),
                migrations.AddConstraint(
                    model_name='docproposal',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), ('submitted_at__isnull', False), _connector='OR'), name='doc_proposal_submitted_has_time'),
                ),
                migrations.AddConstraint(
                    model_name='budgetitem',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='budget_item_amount_positive'),
                ),
                migrations.AddConstraint(
                    model_name='hire',
                    constraint=models.UniqueConstraint(fields=('participation', 'writer'), name='hire_once_per_org'),
                ),
                migrations.AddConstraint(
                    model_name='hire',
                    constraint=models.CheckConstraint(condition=models.Q(('compensation__gt', 0)), name='hire_paid'),
                ),
                migrations.AddConstraint(
                    model_name='hire',
                    constraint=models.CheckConstraint(condition=models.Q(('agreed_hours__gt', 0)), name='hire_has_hours'),
                ),
                migrations.AddConstraint(
                    model_name='statementofinterest',
                    constraint=models.UniqueConstraint(fields=('participation', 'writer'), name='statement_one_per_writer_and_org'),
                ),
                migrations.AddConstraint(
                    model_name='survey',
                    constraint=models.UniqueConstraint(fields=('program', 'sequence'), name='survey_sequence_unique'),
                ),
                migrations.AddConstraint(
                    model_name='surveyresponse',
                    constraint=models.UniqueConstraint(fields=('survey', 'participation'), name='survey_response_once_per_org'),
                ),
                migrations.AddConstraint(
                    model_name='writerprofile',
                    constraint=models.CheckConstraint(condition=models.Q(('hours_per_week_min__lte', models.F('hours_per_week_max'))), name='writer_hours_bounds'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
