"""REST API of projects' evaluations."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluations import selectors
from evaluations.serializers import MyProjectSerializer, ProjectEvaluationsSerializer
from programs.apis import answers

PASS_FAIL = {"pass": True, "fail": False}


@extend_schema(tags=["evaluations"], responses=answers(MyProjectSerializer, 400))
class MyProjectListApi(generics.ListAPIView):
    """Projects the caller works on: as contributor, assigned mentor or org admin."""

    serializer_class = MyProjectSerializer
    ordering_fields = ["title", "coding_starts_at"]

    def get_queryset(self):
        return selectors.projects_for_viewer(viewer=self.request.user).order_by("pk")


def _period_summary(row) -> dict:
    answers = row.answers or {}
    return {
        "period": row.period,
        "state": row.state,
        "filed": row.evaluation is not None,
        "submitted_at": row.evaluation.submitted_at if row.evaluation is not None else None,
        # The grade only where visible_answers lets the viewer read it.
        "passed": PASS_FAIL.get(answers.get("grade")),
        "can_file": row.can_file,
    }


class ProjectEvaluationsApi(APIView):
    """A project's evaluation periods: whether each is filed and, where the caller may read it,
    the mentor's pass or fail; 404 for anyone outside the project's team."""

    @extend_schema(responses=answers(ProjectEvaluationsSerializer, 404), tags=["evaluations"])
    def get(self, request, pk: int):
        project, role = selectors.project_for_viewer(pk=pk, viewer=request.user)
        rows = selectors.period_rows(
            selectors.periods_for_project(project),
            viewer=request.user,
            now=timezone.now(),
            project=project,
        )
        data = {"project": project, "role": role, "periods": [_period_summary(r) for r in rows]}
        return Response(ProjectEvaluationsSerializer(data).data)
